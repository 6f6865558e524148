using Perfloop.Cluster;
using Perfloop.Experiments;
using Perfloop.Journal;

namespace Perfloop.Sessions;

/// <summary><c>perfloop status</c> (<c>--json</c>, schema <c>perfloop.status/v1</c>).</summary>
public sealed record StatusReport
{
    public string Schema { get; init; } = "perfloop.status/v1";

    public required string Domain { get; init; }

    public required string Metric { get; init; }

    public double? ThresholdPct { get; init; }

    /// <summary>"baseline 3: bench 'a' → 'b'" when perfloop.json now measures differently, so the next start calibrates anew; else null.</summary>
    public string? MethodologyChange { get; init; }

    public required int NextExperiment { get; init; }

    public ActiveExperiment? Active { get; init; }

    public required int Experiments { get; init; }

    public required int Kept { get; init; }

    public required int Discarded { get; init; }

    public required int Crashed { get; init; }

    public required int ConsecutiveDiscards { get; init; }

    /// <summary>Consecutive discards of the latest strategy (spec: 3+ → rotate strategy).</summary>
    public required int ConsecutiveDiscardsOfStrategy { get; init; }

    /// <summary>normal, rotate, plateau_check, stuck or stop.</summary>
    public required string State { get; init; }

    /// <summary>What the spec says to do next, as a value.</summary>
    public required NextStep NextStep { get; init; }

    /// <summary>The same in the words of the front end that reports it; set by the front end.</summary>
    public string Next { get; init; } = "";

    public IReadOnlyList<ResultRow> Recent { get; init; } = [];

    /// <summary>The latest cluster run (<c>run --executor slurm</c>): how far it is and the jobs in flight; null when there was none.</summary>
    public ClusterRunStatus? Cluster { get; init; }
}

public sealed record ActiveExperiment(int Experiment, string Phase, string Target, string Summary, string Driver);
