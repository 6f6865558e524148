using Perfloop.Configuration;

namespace Perfloop.Cluster;

/// <summary>
/// Candidates as Slurm jobs: one <c>sbatch --exclusive --no-requeue</c> job per evaluation, with the partition, time
/// limit and extra options of perfloop.json's <c>executor</c>, the job's log beside its request.
/// </summary>
public sealed class SlurmExecutor(SlurmClient client, ExecutorSettings settings) : ICandidateExecutor
{
    public const string RequestFileName = "request.json";
    public const string ScriptFileName = "job.sh";
    public const string LogFileName = "job.log";

    public string Name => "slurm";

    public TimeSpan TimeLimit { get; } = SlurmTimeLimit.Enforced(SlurmTimeLimit.Parse(settings.TimeLimit)
        ?? throw new ArgumentException($"executor.timeLimit '{settings.TimeLimit}' is not a Slurm time", nameof(settings)));

    public async Task<string> SubmitAsync(ClusterJobRequest request, string jobDirectory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(jobDirectory);
        var requestPath = Path.Combine(jobDirectory, RequestFileName);
        ClusterJson.Write(requestPath, request);
        var script = Path.Combine(jobDirectory, ScriptFileName);
        await File.WriteAllTextAsync(script, JobScript.Render(settings.Command, requestPath, request.Job), cancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        }

        return await client.SubmitAsync(new SlurmSubmission(script, request.Job, Path.Combine(jobDirectory, LogFileName), settings.TimeLimit)
        {
            Partition = settings.Partition,
            ExtraOptions = settings.SbatchOptions,
            WorkingDirectory = jobDirectory,
        }, cancellationToken);
    }

    public Task<IReadOnlyDictionary<string, JobStatus>> QueryAsync(IReadOnlyCollection<string> jobIds, CancellationToken cancellationToken) =>
        client.QueryAsync(jobIds, cancellationToken);

    public Task CancelAsync(string jobId, CancellationToken cancellationToken) => client.CancelAsync(jobId, cancellationToken);

    public Task<string?> FindAsync(string jobName, CancellationToken cancellationToken) => client.FindAsync(jobName, cancellationToken);
}
