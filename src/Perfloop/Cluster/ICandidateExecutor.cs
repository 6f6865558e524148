namespace Perfloop.Cluster;

/// <summary>
/// Where candidates' jobs run: the seam between the coordinator and a cluster scheduler. Slurm is the first
/// implementation (<see cref="SlurmExecutor"/>); a Kubernetes Jobs executor maps onto the same five calls
/// (docs/cluster.md). A job runs <c>perfloop cluster-job --request FILE</c> on a whole node and writes its result file.
/// </summary>
public interface ICandidateExecutor
{
    /// <summary>The scheduler's name in rows and logs ("slurm").</summary>
    string Name { get; }

    /// <summary>The time limit the scheduler enforces on one job; the coordinator's wait is bounded by it.</summary>
    TimeSpan TimeLimit { get; }

    /// <summary>Writes the request and the job script into <paramref name="jobDirectory"/> and submits the job; returns its id.</summary>
    Task<string> SubmitAsync(ClusterJobRequest request, string jobDirectory, CancellationToken cancellationToken);

    /// <summary>The state of each job; a job the scheduler does not know is <see cref="JobPhase.Unknown"/>.</summary>
    Task<IReadOnlyDictionary<string, JobStatus>> QueryAsync(IReadOnlyCollection<string> jobIds, CancellationToken cancellationToken);

    /// <summary>Ends the job; harmless when it already ended.</summary>
    Task CancelAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>The id of the job submitted under <paramref name="jobName"/>, if the scheduler still knows one.</summary>
    Task<string?> FindAsync(string jobName, CancellationToken cancellationToken);
}
