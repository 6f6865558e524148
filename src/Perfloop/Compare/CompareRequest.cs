namespace Perfloop.Compare;

/// <summary>
/// What to compare. <see cref="Benchmarks"/> and <see cref="Build"/> override the config's <c>bench</c> and
/// <c>build</c> when given.
/// </summary>
public sealed record CompareRequest(string BaseRef, string HeadRef)
{
    /// <summary>Shell commands, one benchmark each; empty means the config's <c>bench</c>.</summary>
    public IReadOnlyList<string> Benchmarks { get; init; } = [];

    /// <summary>Shell command that builds each side; null means the config's <c>build</c>.</summary>
    public string? Build { get; init; }

    /// <summary>The metric to judge on; null means the one perfloop.json selects.</summary>
    public Measurement.SelectedMetric? Metric { get; init; }

    /// <summary>The threshold of "same"; null means the configured one (a session passes its calibrated threshold).</summary>
    public double? ThresholdPct { get; init; }

    /// <summary>The instruction counter already resolved for the session; null: resolved from perfloop.json when the metric needs it.</summary>
    public Measurement.InstructionCounter? Counter { get; init; }
}
