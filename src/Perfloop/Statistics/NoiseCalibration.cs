using Pragmastat;
using Pragmastat.Estimators;

namespace Perfloop.Statistics;

/// <summary>Measures the noise of a pair from an A/A sample (the same build twice) and derives the effective threshold.</summary>
public static class NoiseCalibration
{
    /// <summary>
    /// Multiplier of the pair noise: see bench/RESULTS.md for the simulation that chose it.
    /// </summary>
    public const double DefaultK = 1.0;

    // Pragmastat's Spread is the Shamos estimator median|x_i - x_j|; for a normal law it equals
    // √2·Φ⁻¹(0.75)·σ ≈ 0.9539σ, so dividing by this makes it a robust, consistent standard deviation.
    const double ShamosToStandardDeviation = 0.953872552417;

    /// <summary>
    /// NoisePct = 100·(exp(s) - 1) where s is the robust standard deviation of log(a2_i / a1_i) over the pairs:
    /// the typical apparent change of a single no-op pair.
    /// </summary>
    public static NoiseEstimate Calibrate(IReadOnlyList<double> a1, IReadOnlyList<double> a2, double domainThresholdPct, double k = DefaultK)
    {
        if (!(domainThresholdPct >= 0) || double.IsPositiveInfinity(domainThresholdPct))
        {
            throw new ArgumentOutOfRangeException(nameof(domainThresholdPct), domainThresholdPct, "Must be a finite, non-negative percentage.");
        }

        if (!(k >= 0) || double.IsPositiveInfinity(k))
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, "Must be finite and non-negative.");
        }

        var logRatios = RatioStatistics.LogRatios(a1, a2);
        if (logRatios.Length < 3)
        {
            throw new ArgumentException("Noise calibration needs at least 3 A/A pairs.", nameof(a1));
        }

        var spread = SpreadEstimator.Instance.Estimate(new Sample(logRatios)).NominalValue;
        var noisePct = (Math.Exp(spread / ShamosToStandardDeviation) - 1) * 100;
        return new NoiseEstimate(noisePct, Math.Max(domainThresholdPct, k * noisePct), k, logRatios.Length);
    }
}
