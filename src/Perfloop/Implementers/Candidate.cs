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
    public Authorship? Author { get; init; }

    /// <summary>The change's own commit message below the subject (a patch's body, trailers included); empty when it has none.</summary>
    public string Body { get; init; } = "";
}

/// <summary>
/// The author of a change: name and email, and the date it was written (null when the patch gives none git can
/// use; the commit then gets the time of the KEEP).
/// </summary>
public sealed record Authorship(string Name, string Email, DateTimeOffset? Date);

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
    /// Moves the current candidate (the one <see cref="IImplementer.Peek"/> shows) to the back of the queue and
    /// returns true; returns false, changing nothing, when it was already moved once: then it is judged now.
    /// </summary>
    bool Defer();
}
