namespace Perfloop.Configuration;

/// <summary>
/// The <c>executor</c> key of perfloop.json: where candidates are evaluated. <c>local</c> (the default) evaluates one
/// candidate at a time on this machine; <c>slurm</c> evaluates up to <see cref="Jobs"/> at once, each as one Slurm job
/// on a whole node (docs/cluster.md).
/// </summary>
public sealed record ExecutorSettings
{
    /// <summary>Upper bound on jobs in flight: far above any sensible queue, low enough to catch a typo such as 1000.</summary>
    public const int MaxJobs = 256;

    public const string Local = "local";
    public const string Slurm = "slurm";

    /// <summary>The settings when perfloop.json has no <c>executor</c> key.</summary>
    public static ExecutorSettings Default { get; } = new();

    /// <summary><c>local</c> or <c>slurm</c>.</summary>
    public string Kind { get; init; } = Local;

    /// <summary>Candidates evaluated at once (jobs in flight); 1 for <c>local</c>.</summary>
    public int Jobs { get; init; } = 1;

    /// <summary>The Slurm partition (<c>sbatch --partition</c>); null uses the cluster's default partition.</summary>
    public string? Partition { get; init; }

    /// <summary>
    /// Wall-clock limit of one job in Slurm's format (<c>MM</c>, <c>MM:SS</c>, <c>HH:MM:SS</c>, <c>D-HH</c>, <c>D-HH:MM</c>,
    /// <c>D-HH:MM:SS</c>); a job over it ends TIMEOUT and becomes a crash row.
    /// </summary>
    public string TimeLimit { get; init; } = "01:00:00";

    /// <summary>More <c>sbatch</c> options, one argument each (e.g. <c>"--account=perf"</c>, <c>"--constraint=skylake"</c>).</summary>
    public IReadOnlyList<string> SbatchOptions { get; init; } = [];

    /// <summary>
    /// An absolute directory that the coordinator and every node see at the same path (bundles, requests, results,
    /// job logs); null uses <c>.perfloop/cluster</c> in the repository, which is right when the repository itself is on
    /// the shared filesystem (and on a one-node cluster).
    /// </summary>
    public string? SharedDirectory { get; init; }

    /// <summary>How a node starts perfloop, as an argument list; default <c>["perfloop"]</c> (the dotnet tool on the nodes' PATH).</summary>
    public IReadOnlyList<string> Command { get; init; } = ["perfloop"];

    /// <summary>Seconds between two looks at the scheduler's queue (results files are looked for every second).</summary>
    public double PollSeconds { get; init; } = 5;

    public bool IsCluster => Kind == Slurm;

    /// <summary>
    /// These settings, after the checks perfloop.json's <c>executor</c> key gets: for settings changed by command-line
    /// flags (<c>--executor slurm --jobs 8</c>). The first bad value is a one-line <see cref="Errors.PerfloopException"/>.
    /// </summary>
    public ExecutorSettings Validated()
    {
        ExecutorValidation.Validate(this, (key, problem) => throw new Errors.PerfloopException($"executor: {key}: {problem}"));
        return this;
    }
}
