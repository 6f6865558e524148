using Perfloop.Fidelity;
using Perfloop.Journal;

namespace Perfloop.Experiments;

/// <summary>
/// What the check step found about a candidate before any benchmark, gathered one piece at a time (each only when the
/// ones before it allow the candidate to go on). Null fields were not looked at (yet).
/// </summary>
public sealed record CheckEvidence
{
    /// <summary>Why the implementer could not make the change (a patch that does not apply, an agent that failed).</summary>
    public string? ImplementationProblem { get; init; }

    /// <summary>Files under .perfloop/ the candidate added, changed or removed (they were put back).</summary>
    public IReadOnlyList<TrustedFileChange> TrustedFiles { get; init; } = [];

    /// <summary>The paths the candidate changed in the work tree; null until read.</summary>
    public IReadOnlyList<string>? Paths { get; init; }

    public (string Path, string Reason)? ProtectedPath { get; init; }

    public (string Path, string Reason)? OutsideRepository { get; init; }

    /// <summary>How the candidate's build failed; null when it built (or was not built yet).</summary>
    public string? BuildFailure { get; init; }

    public FidelityResult? Fidelity { get; init; }

    /// <summary>How the candidate's output differs from the oracle's; null when it matches (or was not compared yet).</summary>
    public string? OutputDifference { get; init; }
}

/// <summary>
/// The early end of an experiment as a pure function of its check evidence, in the order the checks run: nothing a
/// candidate did to Perfloop's own files, to protected paths or outside the repository is ever measured; a build failure
/// is a crash; a change the benchmark does not run, or one that changes the output, is discarded before benchmarking.
/// </summary>
public static class CheckDecision
{
    public static EarlyOutcome? Decide(CheckEvidence evidence)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        if (evidence.ImplementationProblem is { } problem)
        {
            return new(ExperimentStatus.Discard, problem);
        }

        if (evidence.TrustedFiles.Count > 0)
        {
            var first = evidence.TrustedFiles[0];
            var more = evidence.TrustedFiles.Count > 1 ? $" and {evidence.TrustedFiles.Count - 1} more" : "";
            return new(ExperimentStatus.Discard, $"touches Perfloop's own state: {first.What} .perfloop/{first.Path}{more} (put back as it was)");
        }

        if (evidence.Paths is { Count: 0 })
        {
            return new(ExperimentStatus.Discard, "the candidate changes nothing");
        }

        if (evidence.ProtectedPath is { } violation)
        {
            return new(ExperimentStatus.Discard, $"touches protected path {violation.Path} ({violation.Reason})");
        }

        if (evidence.OutsideRepository is { } escape)
        {
            return new(ExperimentStatus.Discard, $"reaches outside the repository: {escape.Path} is {escape.Reason}");
        }

        if (evidence.BuildFailure is { } build)
        {
            return new(ExperimentStatus.Crash, $"build failed: {build}");
        }

        if (evidence.Fidelity is { Verdict: FidelityVerdict.Failed } fidelity)
        {
            return new(ExperimentStatus.Discard, $"fidelity: {fidelity.Summary}");
        }

        return evidence.OutputDifference is { } difference ? new(ExperimentStatus.Discard, $"output mismatch: {difference}") : null;
    }
}
