using System.Globalization;
using Perfloop.Implementers;
using Perfloop.Statistics;

namespace Perfloop.Experiments;

/// <summary>The exact wording of the spec's status lines, in one place.</summary>
public static class StatusLines
{
    public static string Prefix(int experiment) => $"[experiment {experiment.ToString(CultureInfo.InvariantCulture)}]";

    public static string Target(int n, CandidateInfo candidate) =>
        $"{Prefix(n)} Target: {candidate.Target} ({Or(candidate.Category, "uncategorized")}, {Or(candidate.EstimatedImpact, "impact unknown")})";

    public static string Implementing(int n, CandidateInfo candidate) => $"{Prefix(n)} Implementing: {candidate.Summary}";

    public static string Benchmarking(int n) => $"{Prefix(n)} Benchmarking...";

    public static string MicroBenchmarking(int n) => $"{Prefix(n)} Micro-benchmarking...";

    /// <summary>"[experiment N] Micro: 41.2ms → 20.5ms (median × paired ratio: −50.2%, 95% CI …, 12 pairs) improved", or why there is no figure.</summary>
    public static string Micro(int n, Micro.MicroOutcome outcome)
    {
        if (outcome.NotAvailable is { } why)
        {
            return $"{Prefix(n)} Micro: not available ({outcome.Kind}): {why}";
        }

        if (outcome.Result is not { } result || outcome.BaselineValue is not { } baseline)
        {
            return $"{Prefix(n)} Micro: failed — {outcome.Failure ?? "no result"}; the decision goes on without it";
        }

        return $"{Prefix(n)} Micro: {Figures(baseline, outcome.Unit, result)} {Word(result.Verdict)}";
    }

    public static string Fidelity(int n, Fidelity.FidelityResult fidelity) => $"{Prefix(n)} Fidelity: {fidelity.Word} — {fidelity.Summary}";

    public static string Keep(int n) => $"{Prefix(n)} KEEP";

    public static string Discard(int n, string reason) => $"{Prefix(n)} DISCARD — {reason}";

    /// <summary>
    /// "[experiment N] Result: 342.2ms → 184.8ms (median × paired ratio: −46.0%, 96.75% CI −46.9…−45.4%, 6 pairs) improved":
    /// the baseline's median, and that median times the paired estimate, so the two figures agree with the change shown.
    /// </summary>
    public static string Result(int n, double baselineMedian, string unit, VerdictResult result) =>
        $"{Prefix(n)} Result: {Figures(baselineMedian, unit, result)} {Word(result.Verdict)}";

    /// <summary>What the candidate's figure is in every result line: the baseline's median times the paired ratio.</summary>
    public static double AtRatio(double baselineMedian, VerdictResult result) => baselineMedian * result.Estimate.Ratio;

    static string Figures(double baselineMedian, string unit, VerdictResult result) =>
        $"{Measure(baselineMedian, unit)} → {Measure(AtRatio(baselineMedian, result), unit)} (median × paired ratio: {Interval(result)})";

    /// <summary>"−33.5%, 95% CI −35.1…−31.8%, 14 runs".</summary>
    public static string Interval(VerdictResult result) => Statistics.Figures.Interval(result.Estimate);

    public static string Measure(double value, string unit) => Statistics.Figures.Measure(value, unit);

    public static string Word(Verdict verdict) => verdict.ToString().ToLowerInvariant();

    static string Or(string value, string fallback) => string.IsNullOrWhiteSpace(value) ? fallback : value;
}
