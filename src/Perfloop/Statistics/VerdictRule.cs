namespace Perfloop.Statistics;

/// <summary>Turns a ratio interval into a verdict against a threshold in percent.</summary>
public static class VerdictRule
{
    /// <summary>
    /// Improved / Regressed when the whole interval lies beyond the threshold (1 ± t/100) on that side,
    /// Equivalent when it lies inside [1 - t/100, 1 + t/100], Inconclusive otherwise.
    /// </summary>
    public static VerdictResult Classify(RatioEstimate estimate, double thresholdPct, MetricDirection direction)
    {
        ArgumentNullException.ThrowIfNull(estimate);
        if (!(thresholdPct >= 0) || double.IsPositiveInfinity(thresholdPct))
        {
            throw new ArgumentOutOfRangeException(nameof(thresholdPct), thresholdPct, "Must be a finite, non-negative percentage.");
        }

        var lowerBound = 1 - (thresholdPct / 100);
        var upperBound = 1 + (thresholdPct / 100);
        var entirelyBelow = estimate.High < lowerBound;
        var entirelyAbove = estimate.Low > upperBound;
        var inside = estimate.Low >= lowerBound && estimate.High <= upperBound;
        var excludesOneBelow = estimate.High < 1;
        var excludesOneAbove = estimate.Low > 1;

        var lowerIsBetter = direction == MetricDirection.LowerIsBetter;
        var improved = lowerIsBetter ? entirelyBelow : entirelyAbove;
        var regressed = lowerIsBetter ? entirelyAbove : entirelyBelow;
        var verdict = improved ? Verdict.Improved
            : regressed ? Verdict.Regressed
            : inside ? Verdict.Equivalent
            : Verdict.Inconclusive;

        return new VerdictResult(
            verdict,
            estimate,
            thresholdPct,
            SignificantlyWorse: lowerIsBetter ? excludesOneAbove : excludesOneBelow,
            SignificantlyBetter: lowerIsBetter ? excludesOneBelow : excludesOneAbove);
    }
}
