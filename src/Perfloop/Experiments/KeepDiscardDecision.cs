using System.Globalization;
using Perfloop.Statistics;

namespace Perfloop.Experiments;

public enum GuardOutcome
{
    NotConfigured,
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

/// <summary>Everything known about a candidate when it is judged.</summary>
public sealed record Evidence
{
    /// <summary>Null when the output matches the oracle, else what differs.</summary>
    public string? OutputDifference { get; init; }

    /// <summary>Null when the benchmark ran cleanly, else why it did not.</summary>
    public string? BenchmarkFailure { get; init; }

    public VerdictResult? Metric { get; init; }

    public GuardOutcome Guard { get; init; } = GuardOutcome.NotConfigured;

    public string? GuardFailure { get; init; }

    /// <summary>How many more times the implementer may rework after a guard failure (patches: 0).</summary>
    public int ReworksLeft { get; init; }

    public string MetricName { get; init; } = "metric";

    /// <summary>The target's micro-benchmark verdict (against the domain's micro threshold), when one ran.</summary>
    public VerdictResult? Micro { get; init; }

    /// <summary>How much of the benchmark's profile the target holds, and where that figure came from.</summary>
    public HotPathEvidence? HotPath { get; init; }
}

/// <summary>
/// Whether a target is on a confirmed hot path: its share of the benchmark's profile against the required share.
/// <see cref="Source"/> says which source decided (the bottleneck ranking, perfloop.json, or the candidate's Impact trailer).
/// </summary>
public sealed record HotPathEvidence(double? SharePct, double RequiredPct, string Source)
{
    public bool IsHot => SharePct is { } share && share >= RequiredPct;
}

public sealed record Decision(DecisionAction Action, string Reason)
{
    public static Decision Keep(string reason) => new(DecisionAction.Keep, reason);

    public static Decision Discard(string reason) => new(DecisionAction.Discard, reason);
}

/// <summary>
/// The spec's keep/discard tree as a pure function: output first, then the benchmark's health, then the
/// guard, then the metric against the threshold. "Re-run to confirm" for small deltas is done by the
/// sequential measurement before this is called, so an improvement reaches here already confirmed or not.
/// </summary>
public static class KeepDiscardDecision
{
    /// <summary>The guard runs after benchmarking and only when its verdict could matter (spec step 10).</summary>
    public static bool GuardNeeded(Evidence evidence) =>
        evidence.OutputDifference is null
        && evidence.BenchmarkFailure is null
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

    public static Decision Decide(Evidence evidence)
    {
        if (evidence.OutputDifference is { } difference)
        {
            return Decision.Discard($"output mismatch: {difference}");
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
                    : Decision.Discard($"not confirmed beyond the {Pct(metric.ThresholdPct)} threshold: {numbers} after {metric.Estimate.Pairs} runs");
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
            $"{Signed(metric.Estimate.DeltaPct)}% (CI {Signed(metric.Estimate.LowPct)}…{Signed(metric.Estimate.HighPct)}%)");

    internal static string Signed(double value) =>
        (value >= 0 ? "+" : "−") + Math.Abs(value).ToString("0.0", CultureInfo.InvariantCulture);

    static string Pct(double value) => value.ToString("0.#", CultureInfo.InvariantCulture) + "%";
}
