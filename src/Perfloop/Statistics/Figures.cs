using System.Globalization;

namespace Perfloop.Statistics;

/// <summary>How figures are written for people, the same in status lines, results, commits and reports.</summary>
public static class Figures
{
    /// <summary>"+3.1" or "−30.0" (a real minus sign), one decimal.</summary>
    public static string WithSign(double value) =>
        (value >= 0 ? "+" : "−") + Math.Abs(value).ToString("0.0", CultureInfo.InvariantCulture);

    /// <summary>"342.2ms", "0.084ms": one decimal from 10 up, three below.</summary>
    public static string Measure(double value, string unit) =>
        value.ToString(Math.Abs(value) >= 10 ? "0.0" : "0.###", CultureInfo.InvariantCulture) + unit;

    /// <summary>"−33.5%, 95% CI −35.1…−31.8%, 14 pairs" (a pair is one baseline run and one candidate run).</summary>
    public static string Interval(RatioEstimate estimate)
    {
        ArgumentNullException.ThrowIfNull(estimate);
        return $"{WithSign(estimate.DeltaPct)}%, {Level(estimate)}% {Bounds(estimate)}, {estimate.Pairs.ToString(CultureInfo.InvariantCulture)} pairs";
    }

    /// <summary>"−1.6% (96.75% CI −11.1…+3.1%)", or "−1.6% (CI unbounded: 4 pairs cannot reach 95%)": an estimate in a detail line.</summary>
    public static string WithInterval(RatioEstimate estimate)
    {
        ArgumentNullException.ThrowIfNull(estimate);
        return estimate.IsBounded
            ? $"{WithSign(estimate.DeltaPct)}% ({Level(estimate)}% {Bounds(estimate)})"
            : $"{WithSign(estimate.DeltaPct)}% (CI unbounded: {estimate.Pairs.ToString(CultureInfo.InvariantCulture)} pairs cannot reach {Level(estimate)}%)";
    }

    /// <summary>"5%", "2.5%": a threshold.</summary>
    public static string Percent(double value) => value.ToString("0.#", CultureInfo.InvariantCulture) + "%";

    /// <summary>"CI −35.1…−31.8%", or "CI unbounded" when the pairs were too few to bound the ratio (never "−100…+∞").</summary>
    public static string Bounds(RatioEstimate estimate)
    {
        ArgumentNullException.ThrowIfNull(estimate);
        return estimate.IsBounded ? $"CI {WithSign(estimate.LowPct)}…{WithSign(estimate.HighPct)}%" : "CI unbounded";
    }

    /// <summary>"96.75": the interval's confidence level in percent.</summary>
    static string Level(RatioEstimate estimate) => (estimate.ConfidenceLevel * 100).ToString("0.##", CultureInfo.InvariantCulture);
}
