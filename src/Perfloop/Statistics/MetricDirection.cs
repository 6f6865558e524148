namespace Perfloop.Statistics;

/// <summary>Which way a metric improves: times and memory go down, throughput goes up.</summary>
public enum MetricDirection
{
    LowerIsBetter,
    HigherIsBetter,
}
