namespace Perfloop.Journal;

/// <summary>How an experiment ended; the first word of the <c>status</c> column.</summary>
public enum ExperimentStatus
{
    Baseline,
    Keep,
    Discard,
    Crash,
    Escalate,

    /// <summary>
    /// A policy event of the loop (rotate, plateau, stuck, stop, milestone, skip, config_audit): <c>target</c> names the
    /// event, <c>reason</c> says what happened, <c>experiment</c> is the last experiment before it. Not an experiment.
    /// </summary>
    Event,
}

/// <summary>Whether the guard ran and how it went; the second word of the <c>status</c> column.</summary>
public enum GuardStatus
{
    NotRun,
    Passed,
    Failed,

    /// <summary>The session ran without a guard, as the user asked (<c>no_guard</c>).</summary>
    NoGuard,
}

/// <summary>One line of <c>.perfloop/results.tsv</c>. Numbers are null when they were not measured.</summary>
public sealed record ResultRow
{
    public required int Experiment { get; init; }

    public required DateTimeOffset Timestamp { get; init; }

    public required string Domain { get; init; }

    public string Target { get; init; } = "";

    public string Category { get; init; } = "";

    public string Strategy { get; init; } = "";

    public string Summary { get; init; } = "";

    public string Metric { get; init; } = "";

    public double? Baseline { get; init; }

    public double? Candidate { get; init; }

    public double? DeltaPct { get; init; }

    public double? CiLowPct { get; init; }

    public double? CiHighPct { get; init; }

    /// <summary>Baseline/candidate pairs measured (each pair is two runs of the benchmark).</summary>
    public int? Pairs { get; init; }

    public double? ThresholdPct { get; init; }

    public required ExperimentStatus Status { get; init; }

    public GuardStatus Guard { get; init; } = GuardStatus.NotRun;

    /// <summary>The commit a KEEP made, or the commit the experiment was measured against.</summary>
    public string Commit { get; init; } = "";

    public string Reason { get; init; } = "";

    /// <summary>The target's micro-benchmark: candidate/baseline change in percent and its interval; null when none ran.</summary>
    public double? MicroDeltaPct { get; init; }

    public double? MicroCiLowPct { get; init; }

    public double? MicroCiHighPct { get; init; }

    /// <summary>The benchmark-fidelity check: "pass: …", "warn: …", "fail: …" or "unchecked: …"; empty when it did not run.</summary>
    public string Fidelity { get; init; } = "";

    /// <summary>Columns this version does not know, kept so a rewrite never loses them.</summary>
    public IReadOnlyDictionary<string, string> Extra { get; init; } = new Dictionary<string, string>();

    public string StatusText => Guard switch
    {
        GuardStatus.Passed => $"{StatusWord(Status)} guard_pass",
        GuardStatus.Failed => $"{StatusWord(Status)} guard_fail",
        GuardStatus.NoGuard => $"{StatusWord(Status)} no_guard",
        _ => StatusWord(Status),
    };

    /// <summary>A real experiment (keep, discard or crash): not the baseline, an escalation or a policy event.</summary>
    public bool IsExperiment => Status is ExperimentStatus.Keep or ExperimentStatus.Discard or ExperimentStatus.Crash;

    public static string StatusWord(ExperimentStatus status) => status.ToString().ToLowerInvariant();
}
