using System.Globalization;
using Perfloop.Micro;
using Perfloop.Statistics;

namespace Perfloop.Experiments;

public enum GuardOutcome
{
    /// <summary>The experiment runs without a guard: the user waived it (<c>--no-guard</c>).</summary>
    Waived,
    NotRun,
    Passed,
    Failed,
}

public enum DecisionAction
{
    Keep,
    Discard,
    Crash,

    /// <summary>The guard failed and the implementer may try again (the spec allows 2 reworks).</summary>
    Rework,
}

/// <summary>
/// The end-to-end comparison of the pre-optimization commit with the candidate's commit, made before a KEEP is committed:
/// its verdict, and in words what it showed.
/// </summary>
public sealed record EndToEndEvidence(Compare.CompareVerdict Verdict, string Shows);

/// <summary>Everything known about a candidate when it is judged.</summary>
public sealed record Evidence
{
    /// <summary>How the check step ended the experiment before any benchmark (see <see cref="CheckDecision"/>); null when it went on.</summary>
    public EarlyOutcome? Early { get; init; }

    /// <summary>Null when the benchmark ran cleanly, else why it did not.</summary>
    public string? BenchmarkFailure { get; init; }

    public VerdictResult? Metric { get; init; }

    public GuardOutcome Guard { get; init; } = GuardOutcome.Waived;

    public string? GuardFailure { get; init; }

    /// <summary>How many more times the implementer may rework after a guard failure (patches: 0).</summary>
    public int ReworksLeft { get; init; }

    public string MetricName { get; init; } = "metric";

    /// <summary>The target's micro-benchmark verdict (against the domain's micro threshold), when one ran.</summary>
    public VerdictResult? Micro { get; init; }

    /// <summary>How much of the benchmark's profile the target holds, and where that figure came from.</summary>
    public HotPathEvidence? HotPath { get; init; }

    /// <summary>Files under .perfloop/ changed while the candidate's code ran (build, benchmark, guard); they were put back.</summary>
    public IReadOnlyList<TrustedFileChange> TrustedFiles { get; init; } = [];

    /// <summary>The end-to-end comparison, once made (only for a candidate the rest of the evidence would keep).</summary>
    public EndToEndEvidence? EndToEnd { get; init; }

    /// <summary>
    /// Set when the metric stands in for wall time (CPU time, instructions) and wall time over the same pairs is
    /// significantly worse beyond the threshold: what it showed, in words.
    /// </summary>
    public string? WallTimeContradiction { get; init; }
}

public sealed record Decision(DecisionAction Action, string Reason)
{
    public static Decision Keep(string reason) => new(DecisionAction.Keep, reason);

    public static Decision Discard(string reason) => new(DecisionAction.Discard, reason);
}

/// <summary>
/// The spec's keep/discard tree as a pure function: the checks before benchmarking first (output, protected paths,
/// build, fidelity: <see cref="CheckDecision"/>), then the benchmark's health, then the guard, then the metric against
/// the threshold, and for a KEEP the end-to-end comparison and the integrity of Perfloop's own files. "Re-run to confirm" for small deltas is done by the
/// sequential measurement before this is called, so an improvement reaches here already confirmed or not.
/// </summary>
public static class KeepDiscardDecision
{
    /// <summary>The guard runs after benchmarking and only when its verdict could matter (spec step 10).</summary>
    public static bool GuardNeeded(Evidence evidence) =>
        evidence.Early is null
        && evidence.BenchmarkFailure is null
        && evidence.WallTimeContradiction is null
        && (evidence.Metric?.Verdict == Verdict.Improved || (MicroOnly(evidence) && evidence.HotPath is { IsHot: true }));

    /// <summary>
    /// The spec's micro-only branch applies: the whole program shows no significant change (equivalent, or not yet
    /// decided without being significantly worse) while the micro-benchmark's interval lies entirely beyond the
    /// micro threshold in the good direction.
    /// </summary>
    public static bool MicroOnly(Evidence evidence) =>
        evidence.Metric is { } metric
        && evidence.Micro is { Verdict: Verdict.Improved }
        && !metric.SignificantlyWorse
        && metric.Verdict is Verdict.Equivalent or Verdict.Inconclusive;

    /// <summary>
    /// The end-to-end comparison is worth making only for a candidate everything else would keep; it runs before the
    /// commit, so a KEEP is never taken back.
    /// </summary>
    public static bool EndToEndNeeded(Evidence evidence) => evidence.EndToEnd is null && Decide(evidence).Action == DecisionAction.Keep;

    public static Decision Decide(Evidence evidence)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        var decision = DecideMeasured(evidence);
        if (decision.Action != DecisionAction.Keep)
        {
            return decision;
        }

        if (evidence.WallTimeContradiction is { } wall)
        {
            return Decision.Discard($"wall time contradicts the {evidence.MetricName} verdict ({decision.Reason}): {wall}");
        }

        if (evidence.TrustedFiles.Count > 0)
        {
            var first = evidence.TrustedFiles[0];
            return Decision.Discard($"changed Perfloop's own state while its code ran: {first.What} .perfloop/{first.Path}{(evidence.TrustedFiles.Count > 1 ? $" and {evidence.TrustedFiles.Count - 1} more" : "")} (put back as it was)");
        }

        // When e2e contradicts the benchmark that would keep the change (no improvement beyond the threshold, or worse), e2e wins.
        return evidence.EndToEnd is { Verdict: Compare.CompareVerdict.Same or Compare.CompareVerdict.Worse or Compare.CompareVerdict.Failed } e2e
            ? Decision.Discard($"e2e contradicts the benchmark that kept it ({decision.Reason}): {e2e.Shows}")
            : decision;
    }

    static Decision DecideMeasured(Evidence evidence)
    {
        if (evidence.Early is { } early)
        {
            return new Decision(early.Status == Journal.ExperimentStatus.Crash ? DecisionAction.Crash : DecisionAction.Discard, early.Reason);
        }

        if (evidence.BenchmarkFailure is { } failure)
        {
            return new Decision(DecisionAction.Crash, $"benchmark failed: {failure}");
        }

        if (evidence.Metric is not { } metric)
        {
            return new Decision(DecisionAction.Crash, "no measurement");
        }

        var numbers = Numbers(metric);
        if (MicroOnly(evidence))
        {
            return DecideMicroOnly(evidence, numbers);
        }

        switch (metric.Verdict)
        {
            case Verdict.Improved when evidence.Guard == GuardOutcome.Failed:
                return evidence.ReworksLeft > 0
                    ? new Decision(DecisionAction.Rework, $"guard failed: {evidence.GuardFailure}")
                    : Decision.Discard($"guard failure: {evidence.GuardFailure}");
            case Verdict.Improved when evidence.Guard == GuardOutcome.NotRun:
                // Keeping an improvement whose guard never ran would skip the safety net.
                return new Decision(DecisionAction.Crash, "the guard is configured but did not run");
            case Verdict.Improved:
                return Decision.Keep($"improved {numbers}, beyond the {Pct(metric.ThresholdPct)} threshold");
            case Verdict.Regressed:
                return Decision.Discard($"regression: {numbers}");
            case Verdict.Equivalent when metric.SignificantlyWorse:
                return Decision.Discard($"regression: {numbers}, smaller than the {Pct(metric.ThresholdPct)} threshold but real");
            case Verdict.Equivalent when metric.SignificantlyBetter:
                return Decision.Discard($"below threshold: {numbers} is a real change but smaller than the {Pct(metric.ThresholdPct)} keep threshold");
            case Verdict.Equivalent:
                return Decision.Discard($"no significant improvement: {numbers} is within ±{Pct(metric.ThresholdPct)}");
            default:
                return metric.SignificantlyWorse
                    ? Decision.Discard($"regression: {numbers}")
                    : Decision.Discard($"not confirmed beyond the {Pct(metric.ThresholdPct)} threshold: {numbers} after {metric.Estimate.Pairs} pairs");
        }
    }

    /// <summary>KEEP on the micro-benchmark alone only for a target on a confirmed hot path, and only once the guard passed.</summary>
    static Decision DecideMicroOnly(Evidence evidence, string numbers)
    {
        var micro = evidence.Micro!;
        var microText = $"micro-benchmark improved {Numbers(micro)}, beyond the {Pct(micro.ThresholdPct)} micro threshold, while the whole program changed {numbers}";
        if (evidence.HotPath is not { } hot || hot.SharePct is not { } share)
        {
            return Decision.Discard($"{microText}, but the target is not on a confirmed hot path: {evidence.HotPath?.Source ?? "no profile share is known"}");
        }

        var shareText = $"{Pct(share)} of the benchmark's profile ({hot.Source})";
        if (!hot.IsHot)
        {
            return Decision.Discard($"{microText}, but the target holds only {shareText}, below the {Pct(hot.RequiredPct)} hot-path share");
        }

        return evidence.Guard switch
        {
            GuardOutcome.Failed => evidence.ReworksLeft > 0
                ? new Decision(DecisionAction.Rework, $"guard failed: {evidence.GuardFailure}")
                : Decision.Discard($"guard failure: {evidence.GuardFailure}"),
            GuardOutcome.NotRun => new Decision(DecisionAction.Crash, "the guard is configured but did not run"),
            _ => Decision.Keep($"{microText}; kept on the micro-benchmark: the target holds {shareText}, at least the {Pct(hot.RequiredPct)} hot-path share"),
        };
    }

    static string Numbers(VerdictResult metric) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{Signed(metric.Estimate.DeltaPct)}% ({Figures.Bounds(metric.Estimate)})");

    internal static string Signed(double value) => Figures.WithSign(value);

    static string Pct(double value) => value.ToString("0.#", CultureInfo.InvariantCulture) + "%";
}
