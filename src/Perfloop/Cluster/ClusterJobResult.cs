using Perfloop.Journal;

namespace Perfloop.Cluster;

/// <summary>
/// <c>perfloop.cluster-job-result/v1</c>: what a node found for one candidate. <see cref="Row"/> is the row a local run
/// would have written against <see cref="Commit"/>: its status <c>keep</c> means the evidence supports keeping the
/// change on that commit; the coordinator decides, numbers and commits.
/// </summary>
public sealed record ClusterJobResult
{
    public const string SchemaName = "perfloop.cluster-job-result/v1";

    public string Schema { get; init; } = SchemaName;

    public required string Run { get; init; }

    public required string Job { get; init; }

    /// <summary>The base commit the candidate was measured against (the request's).</summary>
    public required string Commit { get; init; }

    public required ResultRow Row { get; init; }

    /// <summary>The node's host name, for the log and for a result that looks wrong.</summary>
    public string Host { get; init; } = "";

    public DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset FinishedAt { get; init; }

    /// <summary>The directory holding the experiment's files (the request's <see cref="ClusterJobRequest.Artifacts"/>).</summary>
    public string Artifacts { get; init; } = "";
}
