namespace Perfloop.Experiments;

/// <summary>
/// What a step verb reports (<c>--json</c>, schema <c>perfloop.step/v1</c>): the experiment's state after the step,
/// the verdict numbers when measured, and the decision once made.
/// </summary>
public sealed record StepReport
{
    public string Schema { get; init; } = "perfloop.step/v1";

    public required string Step { get; init; }

    public required int Experiment { get; init; }

    public required string Phase { get; init; }

    public string Target { get; init; } = "";

    public string Summary { get; init; } = "";

    public string PreCommit { get; init; } = "";

    public double ThresholdPct { get; init; }

    /// <summary>Null while the candidate may still go on; else why it cannot (output mismatch, build failure …).</summary>
    public string? Problem { get; init; }

    public StepMeasurement? Measurement { get; init; }

    /// <summary>The benchmark-fidelity check once made: "pass: …", "warn: …", "fail: …" or "unchecked: …".</summary>
    public string? Fidelity { get; init; }

    /// <summary>The target's micro-benchmark once run (null when the target has none).</summary>
    public StepMicro? Micro { get; init; }

    /// <summary>pass, fail, not_run, or no_guard when the experiment runs without one.</summary>
    public string Guard { get; init; } = "not_run";

    /// <summary>keep, discard, crash or rework once decided.</summary>
    public string? Decision { get; init; }

    public string? Reason { get; init; }

    public string? Commit { get; init; }

    /// <summary>What the spec says to do next, as a value (<c>nextStep.action</c>: makeChange, check, bench, …).</summary>
    public required NextStep NextStep { get; init; }

    /// <summary>The same in the words of the front end that reports it (a CLI verb or an MCP tool); set by the front end.</summary>
    public string Next { get; init; } = "";

    public static StepReport From(string step, ExperimentState state, NextStep next) => new()
    {
        Step = step,
        Experiment = state.Experiment,
        Phase = state.Phase.ToString().ToLowerInvariant(),
        Target = state.Target,
        Summary = state.Summary,
        PreCommit = state.PreCommit,
        ThresholdPct = state.ThresholdPct,
        Problem = state.Early?.Reason ?? state.BenchmarkFailure,
        Measurement = state.Measured is { } m ? StepMeasurement.From(m) : null,
        Fidelity = state.Fidelity?.Column,
        Micro = state.Micro is { } micro ? StepMicro.From(micro) : null,
        Guard = state.WithoutGuard ? GuardWord(GuardOutcome.Waived) : GuardWord(state.Guard),
        NextStep = next,
    };

    public static string GuardWord(GuardOutcome guard) => guard switch
    {
        GuardOutcome.Passed => "pass",
        GuardOutcome.Failed => "fail",
        GuardOutcome.Waived => "no_guard",
        _ => "not_run",
    };
}

public sealed record StepMeasurement(
    string Verdict,
    double Baseline,
    double Candidate,
    double DeltaPct,
    double? CiLowPct,
    double? CiHighPct,
    double ConfidenceLevel,
    int Pairs,
    string StopReason)
{
    public static StepMeasurement From(MeasuredOutcome m)
    {
        var e = m.Result.Estimate;
        return new(StatusLines.Word(m.Result.Verdict), m.BaselineValue, m.CandidateValue, e.DeltaPct,
            e.IsBounded ? e.LowPct : null, e.IsBounded ? e.HighPct : null, e.ConfidenceLevel, m.Pairs, m.StopReason);
    }
}

/// <summary>The micro-benchmark in a step report: the verdict against the micro threshold, or why there is none.</summary>
public sealed record StepMicro(
    string Target,
    string Kind,
    string Metric,
    string? Verdict,
    double? Baseline,
    double? Candidate,
    double? DeltaPct,
    double? CiLowPct,
    double? CiHighPct,
    int Pairs,
    string? Problem)
{
    public static StepMicro From(Micro.MicroOutcome m)
    {
        var e = m.Result?.Estimate;
        return new(m.Target, m.Kind, m.Metric, m.Result is { } r ? StatusLines.Word(r.Verdict) : null, m.BaselineValue, m.CandidateValue,
            e?.DeltaPct, e is { IsBounded: true } ? e.LowPct : null, e is { IsBounded: true } ? e.HighPct : null, m.Pairs, m.Failure ?? m.NotAvailable);
    }
}
