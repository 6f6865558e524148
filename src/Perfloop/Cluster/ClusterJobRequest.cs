using Perfloop.Measurement;

namespace Perfloop.Cluster;

/// <summary>Why a job evaluates its candidate: the first evaluation, or the re-verification against a newer HEAD.</summary>
public enum JobPurpose
{
    Evaluate,
    Reverify,
}

/// <summary>The candidate a job evaluates: its patch on the shared filesystem and what the patch says about itself.</summary>
/// <param name="Index">Position in the coordinator's queue (0-based); decisions follow this order.</param>
/// <param name="Key">Stable name of the candidate within the run: the patch's file name.</param>
/// <param name="Patch">Absolute path of the <c>git format-patch</c> file, readable from the node.</param>
public sealed record JobCandidate(int Index, string Key, string Patch)
{
    public string Summary { get; init; } = "";

    public string Target { get; init; } = "";

    public string Category { get; init; } = "";

    public string Strategy { get; init; } = "";

    public string Impact { get; init; } = "";
}

/// <summary>How the repository reaches the node: a git bundle holding <paramref name="Commit"/>, on the shared filesystem.</summary>
/// <param name="Bundle">Absolute path of the bundle (<c>git bundle create</c>); the node clones it to local disk.</param>
/// <param name="Commit">The base commit the candidate is applied to and measured against.</param>
public sealed record JobRepository(string Bundle, string Commit);

/// <summary>
/// <c>perfloop.cluster-job-request/v1</c>: everything a node needs to evaluate one candidate, written by the coordinator
/// beside the job script (docs/cluster.md gives the schema field by field).
/// </summary>
public sealed record ClusterJobRequest
{
    public const string SchemaName = "perfloop.cluster-job-request/v1";

    public string Schema { get; init; } = SchemaName;

    /// <summary>The coordinator's run; a result names it so a result of another run is never taken.</summary>
    public required string Run { get; init; }

    /// <summary>Unique within the run: the candidate's key and attempt, e.g. <c>0003-x.patch#2</c>.</summary>
    public required string Job { get; init; }

    public required JobPurpose Purpose { get; init; }

    public required JobCandidate Candidate { get; init; }

    public required JobRepository Repository { get; init; }

    /// <summary>The effective keep threshold the coordinator calibrated (percent); the node does not calibrate again.</summary>
    public required double ThresholdPct { get; init; }

    /// <summary>
    /// The metric the coordinator's calibration chose to judge on (CPU time standing in for wall time, say); null: the
    /// methodology's metric. The node judges on it with <see cref="ThresholdPct"/>, which was calibrated for it.
    /// </summary>
    public string? JudgingMetric { get; init; }

    /// <summary>How the coordinator measures; the node refuses to judge when the base commit's perfloop.json measures otherwise.</summary>
    public required Methodology Methodology { get; init; }

    /// <summary>
    /// A directory of <c>.perfloop/</c> files the evaluation reads (conventions.md with the guard, bottlenecks.json,
    /// the benchmark's profile), copied into the clone before it starts; null when there are none.
    /// </summary>
    public string? State { get; init; }

    /// <summary>Where the node writes its <see cref="ClusterJobResult"/> (atomically: a temporary file, then a rename).</summary>
    public required string Result { get; init; }

    /// <summary>Where the node copies the experiment's files (raw samples, diff, build/guard logs, oracle output).</summary>
    public required string Artifacts { get; init; }
}
