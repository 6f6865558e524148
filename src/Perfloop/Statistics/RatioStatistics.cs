using Pragmastat;
using Pragmastat.Estimators;

namespace Perfloop.Statistics;

/// <summary>
/// Candidate/baseline ratio of interleaved pairs: the one-sample Hodges–Lehmann estimate of
/// d_i = log(candidate_i / baseline_i) with the distribution-free Wilcoxon signed-rank interval,
/// exponentiated back to a ratio.
/// </summary>
/// <remarks>
/// Why paired rather than the two-sample Moses/Bauer interval: the runs are interleaved in ABBA blocks, so
/// a pair shares the machine state of its moment and the within-pair log ratio cancels slow drift that a
/// two-sample interval would count as noise. Under a no-op the two runs of a pair are exchangeable, so
/// d_i is symmetric about 0 (about log(true ratio) otherwise), which is all the signed-rank interval
/// assumes; outliers cost it little because it ranks. The interval is
/// [W(k), W(N+1-k)] over the N = n(n+1)/2 Walsh averages (Hollander &amp; Wolfe, Nonparametric Statistical
/// Methods, §3.3).
/// </remarks>
public static class RatioStatistics
{
    /// <summary>Estimates the ratio; <paramref name="baseline"/>[i] and <paramref name="candidate"/>[i] form pair i.</summary>
    public static RatioEstimate Estimate(IReadOnlyList<double> baseline, IReadOnlyList<double> candidate, double confidenceLevel)
    {
        var logRatios = LogRatios(baseline, candidate);
        if (confidenceLevel is <= 0 or >= 1 || double.IsNaN(confidenceLevel))
        {
            throw new ArgumentOutOfRangeException(nameof(confidenceLevel), confidenceLevel, "Must lie strictly between 0 and 1.");
        }

        return EstimateFromLogRatios(logRatios, confidenceLevel);
    }

    internal static RatioEstimate EstimateFromLogRatios(double[] logRatios, double confidenceLevel)
    {
        var pairs = logRatios.Length;
        if (pairs == 0)
        {
            return new RatioEstimate(1, 0, double.PositiveInfinity, confidenceLevel, 0);
        }

        // Pragmastat's Center is the one-sample Hodges–Lehmann estimator (median of Walsh averages).
        var center = CenterEstimator.Instance.Estimate(new Sample(logRatios)).NominalValue;
        var trim = WilcoxonSignedRank.TrimCount(pairs, 1 - confidenceLevel);
        if (trim == 0)
        {
            return new RatioEstimate(Math.Exp(center), 0, double.PositiveInfinity, confidenceLevel, pairs);
        }

        // Pragmastat has no quantile of Walsh averages (FastShift covers x_i - y_j over all i, j, which
        // double-counts i < j), so they are materialised (20,100 values at 200 pairs) and the two order
        // statistics selected in linear time rather than sorted.
        var walsh = WalshAverages(logRatios);
        var low = OrderStatistic.Select(walsh, trim - 1);
        var high = OrderStatistic.Select(walsh, walsh.Length - trim);
        return new RatioEstimate(Math.Exp(center), Math.Exp(low), Math.Exp(high), confidenceLevel, pairs);
    }

    internal static double[] LogRatios(IReadOnlyList<double> baseline, IReadOnlyList<double> candidate)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(candidate);
        if (baseline.Count != candidate.Count)
        {
            throw new ArgumentException($"Pairs need as many baseline ({baseline.Count}) as candidate ({candidate.Count}) values.", nameof(candidate));
        }

        var logRatios = new double[baseline.Count];
        for (var i = 0; i < logRatios.Length; i++)
        {
            RequirePositive(baseline[i], nameof(baseline), i);
            RequirePositive(candidate[i], nameof(candidate), i);
            logRatios[i] = Math.Log(candidate[i] / baseline[i]);
        }

        return logRatios;
    }

    static double[] WalshAverages(double[] values)
    {
        var averages = new double[values.Length * (values.Length + 1) / 2];
        var index = 0;
        for (var i = 0; i < values.Length; i++)
        {
            for (var j = i; j < values.Length; j++)
            {
                averages[index++] = (values[i] + values[j]) / 2;
            }
        }

        return averages;
    }

    static void RequirePositive(double value, string name, int index)
    {
        // A ratio needs strictly positive, finite measurements (times, throughputs, bytes).
        if (!(value > 0) || double.IsPositiveInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"Value {index} must be positive and finite.");
        }
    }
}
