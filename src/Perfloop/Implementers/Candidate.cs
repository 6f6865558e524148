namespace Perfloop.Implementers;

/// <summary>What an implementer says about the change it is about to make.</summary>
public sealed record CandidateInfo(
    string Summary,
    string Target,
    string Category,
    string Strategy,
    string EstimatedImpact)
{
    /// <summary>Who wrote the change (a patch's From and Date); a KEEP commit keeps them as its author, as <c>git am</c> does.</summary>
    public Git.CommitAuthor? Author { get; init; }

    /// <summary>The change's own commit message below the subject (a patch's body, trailers included); empty when it has none.</summary>
    public string Body { get; init; } = "";
}

/// <summary>What an implementer is asked to do for one attempt of one experiment.</summary>
public sealed record ImplementationRequest(
    Git.GitRepository Repository,
    int Experiment,
    string ExperimentDirectory,
    CandidateInfo Candidate,
    int Attempt,
    string? ReworkFeedback)
{
    /// <summary>Every results row so far (the session's ledger), for an implementer that reviews the history.</summary>
    public IReadOnlyList<Journal.ResultRow> Rows { get; init; } = [];

    /// <summary>The guard command the change must keep passing; null when the session runs without one.</summary>
    public string? Guard { get; init; }
}

/// <summary>
/// Produces candidate changes in the work tree, one experiment at a time.
/// </summary>
public interface IImplementer
{
    /// <summary>How many times a candidate may be reworked after a guard failure (the spec allows 2; patches cannot be).</summary>
    int MaxReworks { get; }

    /// <summary>
    /// Describes the next candidate, or null when there is nothing left to try. <paramref name="guidance"/> is the
    /// loop's judgement for the experiment it will be (target, history, strategy, stuck actions), evaluated once: an
    /// agent puts it into its prompt; a patch queue has no use for it.
    /// </summary>
    CandidateInfo? NextCandidate(Policies.ExperimentGuidance guidance);

    /// <summary>Makes the change in the work tree; returns null on success or why it could not be made.</summary>
    Task<string?> ImplementAsync(ImplementationRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// What the last <see cref="ImplementAsync"/> learned the change is (an agent's own summary line or commit
    /// subject), replacing the summary <see cref="NextCandidate"/> gave; null to keep that one.
    /// </summary>
    string? LastSummary => null;

    /// <summary>How the last <see cref="ImplementAsync"/> made the change, worth a detail line (e.g. "applied with a 3-way merge"); null for nothing to say.</summary>
    string? LastDetail => null;

    /// <summary>Moves on to the next candidate (whatever happened to this one).</summary>
    void Advance();
}

/// <summary>
/// An implementer whose candidates are a list the user asked to have judged (a patch queue): a candidate the
/// policies would skip (its strategy was rotated out) is moved to the back of the list instead of dropped.
/// </summary>
public interface IDeferringImplementer : IImplementer
{
    /// <summary>
    /// Moves the current candidate (the one <see cref="IImplementer.NextCandidate"/> described) to the back of the queue and
    /// returns true; returns false, changing nothing, when it was already moved once: then it is judged now.
    /// </summary>
    bool Defer();
}
