using Perfolizer.Mathematics.Distributions.ContinuousDistributions;

namespace Perfloop.Bench.Simulation;

/// <summary>The machine being simulated: log-normal run noise, a slow drift shared by A and B, rare 3× outliers.</summary>
internal sealed record NoiseModel(double Sigma, double DriftOverRun, double OutlierRate, double OutlierFactor = 3.0);

/// <summary>Generates interleaved A B B A … runs of a baseline and a candidate whose true time ratio is known.</summary>
internal static class RunSimulator
{
    private const double BaseTime = 100.0;

    /// <summary>Returns pair i as (baseline[i], candidate[i]); runs are ordered ABBA per block of two pairs.</summary>
    public static (double[] Baseline, double[] Candidate) Pairs(NoiseModel model, double trueRatio, int pairs, Random random)
    {
        var noise = new NormalDistribution(0, model.Sigma).Random(random);
        var baseline = new double[pairs];
        var candidate = new double[pairs];
        var totalRuns = 2 * pairs;
        for (var pair = 0; pair < pairs; pair++)
        {
            // Even pairs run A then B, odd pairs B then A: ABBA blocks.
            var firstPosition = 2 * pair;
            var baselinePosition = pair % 2 == 0 ? firstPosition : firstPosition + 1;
            var candidatePosition = pair % 2 == 0 ? firstPosition + 1 : firstPosition;
            baseline[pair] = Run(model, 1.0, baselinePosition, totalRuns, noise, random);
            candidate[pair] = Run(model, trueRatio, candidatePosition, totalRuns, noise, random);
        }

        return (baseline, candidate);
    }

    private static double Run(NoiseModel model, double ratio, int position, int totalRuns, Perfolizer.Mathematics.Randomization.RandomGenerator noise, Random random)
    {
        // Slow drift: a linear trend plus a slow wave, identical for A and B at the same position.
        var progress = (double)position / totalRuns;
        var drift = (model.DriftOverRun * progress) + (0.3 * model.DriftOverRun * Math.Sin(2 * Math.PI * position / 37.0));
        var outlier = random.NextDouble() < model.OutlierRate ? model.OutlierFactor : 1.0;
        return BaseTime * ratio * Math.Exp(drift + noise.Next()) * outlier;
    }
}
