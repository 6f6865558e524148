namespace Perfloop.Tests.Statistics;

/// <summary>Seeded log-normal pairs: candidate = baseline noise × true ratio × its own noise.</summary>
static class SyntheticPairs
{
    public static (double[] Baseline, double[] Candidate) LogNormal(int pairs, double sigma, double trueRatio, int seed)
    {
        var random = new Random(seed);
        var baseline = new double[pairs];
        var candidate = new double[pairs];
        for (var i = 0; i < pairs; i++)
        {
            baseline[i] = 100 * Math.Exp(sigma * Gaussian(random));
            candidate[i] = 100 * trueRatio * Math.Exp(sigma * Gaussian(random));
        }

        return (baseline, candidate);
    }

    static double Gaussian(Random random)
    {
        // Box–Muller: enough for test data, keeps the tests independent of the code under test.
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
