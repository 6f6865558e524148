namespace Perfloop.Implementers;

/// <summary>What an implementer says about the change it is about to make.</summary>
public sealed record CandidateInfo(
    string Summary,
    string Target,
    string Category,
    string Strategy,
    string EstimatedImpact);

/// <summary>
/// Produces candidate changes in the work tree, one experiment at a time.
/// </summary>
public interface IImplementer
{
    /// <summary>Describes the next candidate, or null when there is nothing left to try.</summary>
    CandidateInfo? Peek();

    /// <summary>Makes the change in the work tree; returns null on success or why it could not be made.</summary>
    Task<string?> ImplementAsync(Git.GitRepository repository, CancellationToken cancellationToken);

    /// <summary>Moves on to the next candidate (whatever happened to this one).</summary>
    void Advance();
}
