namespace Perfloop.Statistics;

/// <summary>
/// A verdict with the numbers behind it. <see cref="SignificantlyWorse"/> and <see cref="SignificantlyBetter"/>
/// ignore the threshold: they say the interval excludes a ratio of 1, so a clear slowdown smaller than the
/// threshold can still be reported as a regression.
/// </summary>
public sealed record VerdictResult(
    Verdict Verdict,
    RatioEstimate Estimate,
    double ThresholdPct,
    bool SignificantlyWorse,
    bool SignificantlyBetter);
