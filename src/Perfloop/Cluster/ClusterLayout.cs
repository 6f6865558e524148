namespace Perfloop.Cluster;

/// <summary>
/// Where a run's files live. The journal is the coordinator's own (<c>.perfloop/cluster/jobs.json</c>); everything a
/// node reads or writes is under the shared directory, one folder per run:
/// <code>
/// SHARED/RUN/bundles/COMMIT.bundle      the repository at a base commit
/// SHARED/RUN/patches/NNN-KEY            the candidates' patches
/// SHARED/RUN/state/                     .perfloop files the evaluation reads (conventions.md, bottlenecks.json…)
/// SHARED/RUN/jobs/JOBNAME/              request.json, job.sh, job.log, result.json, artifacts/
/// </code>
/// </summary>
public sealed record ClusterLayout(string RepositoryRoot, string SharedDirectory)
{
    public const string DirectoryName = "cluster";

    /// <summary>The shared directory when perfloop.json names none: inside the repository, right when the repository is on the shared filesystem.</summary>
    public static string DefaultShared(string repositoryRoot) => Path.Combine(Configuration.PerfloopPaths.StateDirectory(repositoryRoot), DirectoryName, "runs");

    public string Journal => Path.Combine(Configuration.PerfloopPaths.StateDirectory(RepositoryRoot), DirectoryName, "jobs.json");

    public string Run(string run) => Path.Combine(SharedDirectory, run);

    public string Bundle(string run, string commit) => Path.Combine(Run(run), "bundles", $"{commit}.bundle");

    public string Patch(string run, JobCandidate candidate) =>
        Path.Combine(Run(run), "patches", $"{candidate.Index:D3}-{Path.GetFileName(candidate.Key)}");

    public string State(string run) => Path.Combine(Run(run), "state");

    public string Job(string run, string jobName) => Path.Combine(Run(run), "jobs", jobName);

    public string Result(string run, string jobName) => Path.Combine(Job(run, jobName), "result.json");

    public string Artifacts(string run, string jobName) => Path.Combine(Job(run, jobName), "artifacts");

    public string Log(string run, string jobName) => Path.Combine(Job(run, jobName), SlurmExecutor.LogFileName);
}
