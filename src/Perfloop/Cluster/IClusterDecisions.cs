namespace Perfloop.Cluster;

/// <summary>What a decision left: the experiment number of its row and, for a KEEP, the new HEAD.</summary>
public sealed record AppliedDecision(int Experiment, string? Commit);

/// <summary>
/// Where the coordinator's decisions take effect: the branch and results.tsv, of which the coordinator is the only
/// writer. The experiment pipeline implements it (docs/cluster.md, "Wiring").
/// </summary>
public interface IClusterDecisions
{
    /// <summary>The number the next row will carry; reserved in the journal before the decision is applied.</summary>
    int NextExperimentNumber();

    /// <summary>
    /// Makes the decision real: for a KEEP, applies the candidate's patch on HEAD and commits it; then appends the row
    /// (the job's row from <paramref name="evidence"/> when there is one, renumbered to <paramref name="experiment"/>)
    /// and keeps the job's artifacts under <c>.perfloop/experiments/N</c>. Must be idempotent for one experiment
    /// number: a coordinator killed half-way calls it again on resume, and a commit or row already made for that
    /// number is not made twice.
    /// </summary>
    Task<AppliedDecision> ApplyAsync(QueuedCandidate candidate, CandidateDecision decision, int experiment, ClusterJobResult? evidence, CancellationToken cancellationToken);
}
