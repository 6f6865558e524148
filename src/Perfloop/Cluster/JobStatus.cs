namespace Perfloop.Cluster;

/// <summary>Where a cluster job stands, in words every scheduler maps to (Slurm states, Kubernetes Job conditions).</summary>
public enum JobPhase
{
    /// <summary>Accepted, waiting for a node (Slurm PENDING, CONFIGURING, REQUEUED…).</summary>
    Queued,

    /// <summary>On a node (Slurm RUNNING, COMPLETING, SUSPENDED…): not over yet.</summary>
    Running,

    /// <summary>Ended by itself with exit status 0 (Slurm COMPLETED); its result file says what it found.</summary>
    Succeeded,

    /// <summary>Ended any other way (FAILED, CANCELLED, TIMEOUT, NODE_FAIL, OUT_OF_MEMORY, PREEMPTED, BOOT_FAIL, DEADLINE…).</summary>
    Failed,

    /// <summary>The scheduler does not know the job (never accepted, or forgotten after it ended).</summary>
    Unknown,
}

/// <summary>
/// One job as the scheduler reports it.
/// </summary>
/// <param name="JobId">The scheduler's id.</param>
/// <param name="State">The scheduler's own word for the state, e.g. <c>TIMEOUT</c>; kept for rows and logs.</param>
/// <param name="Phase">What the state means to the coordinator.</param>
/// <param name="Reason">The scheduler's reason (why pending, why it ended), empty when it gives none.</param>
/// <param name="Node">The node it runs or ran on, empty when none yet.</param>
public sealed record JobStatus(string JobId, string State, JobPhase Phase, string Reason, string Node)
{
    public DateTimeOffset? SubmittedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When it ended; null while it has not (a scheduler's projected end is not kept).</summary>
    public DateTimeOffset? EndedAt { get; init; }

    public bool IsOver => Phase is JobPhase.Succeeded or JobPhase.Failed;

    /// <summary>"TIMEOUT (TimeLimit)", "NODE_FAIL (NodeDown)", "CANCELLED": the state and the scheduler's reason.</summary>
    public string Describe() => Reason.Length == 0 ? State : $"{State} ({Reason})";

    public static JobStatus NotKnown(string jobId) => new(jobId, "UNKNOWN", JobPhase.Unknown, "", "");
}
