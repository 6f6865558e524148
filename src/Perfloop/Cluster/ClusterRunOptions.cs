using Perfloop.Measurement;

namespace Perfloop.Cluster;

/// <summary>One coordinator run: the queue and what every job of it needs to know.</summary>
public sealed record ClusterRunOptions
{
    /// <summary>What the candidates come from (the patch folder); a run over the same source and queue resumes.</summary>
    public required string Source { get; init; }

    /// <summary>The queue in order; each <see cref="JobCandidate.Patch"/> is the patch's path on this machine.</summary>
    public required IReadOnlyList<JobCandidate> Candidates { get; init; }

    /// <summary>Jobs in flight at most (perfloop.json's <c>executor.jobs</c>).</summary>
    public required int Jobs { get; init; }

    /// <summary>The effective keep threshold the coordinator calibrated; the nodes judge with it.</summary>
    public required double ThresholdPct { get; init; }

    public required Methodology Methodology { get; init; }

    /// <summary>The metric the coordinator's calibration chose to judge on; the nodes judge on it.</summary>
    public string? JudgingMetric { get; init; }

    /// <summary>Files of <c>.perfloop/</c> the evaluation reads (conventions.md, bottlenecks.json, the profile), shipped to the nodes.</summary>
    public IReadOnlyList<string> StateFiles { get; init; } = [];

    /// <summary>How often result files are looked for (a stat per job in flight: cheap).</summary>
    public TimeSpan ResultPollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the scheduler is asked (one squeue for all jobs in flight): perfloop.json's <c>executor.pollSeconds</c>.</summary>
    public TimeSpan SchedulerPollInterval { get; init; } = TimeSpan.FromSeconds(5);
}
