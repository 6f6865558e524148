namespace Perfloop.Implementers;

/// <summary>What an implementer says about the change it is about to make.</summary>
public sealed record CandidateInfo(
    string Summary,
    string Target,
    string Category,
    string Strategy,
    string EstimatedImpact);

/// <summary>What an implementer is asked to do for one attempt of one experiment.</summary>
public sealed record ImplementationRequest(
    Git.GitRepository Repository,
    int Experiment,
    string ExperimentDirectory,
    CandidateInfo Candidate,
    int Attempt,
    string? ReworkFeedback);

/// <summary>
/// Produces candidate changes in the work tree, one experiment at a time.
/// </summary>
public interface IImplementer
{
    /// <summary>How many times a candidate may be reworked after a guard failure (the spec allows 2; patches cannot be).</summary>
    int MaxReworks { get; }

    /// <summary>Describes the next candidate, or null when there is nothing left to try.</summary>
    CandidateInfo? Peek();

    /// <summary>Makes the change in the work tree; returns null on success or why it could not be made.</summary>
    Task<string?> ImplementAsync(ImplementationRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// What the last <see cref="ImplementAsync"/> learned the change is (an agent's own summary line or commit
    /// subject), replacing the summary <see cref="Peek"/> gave; null to keep that one.
    /// </summary>
    string? LastSummary => null;

    /// <summary>Moves on to the next candidate (whatever happened to this one).</summary>
    void Advance();
}
