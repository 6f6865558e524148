using Perfloop.Measurement;

namespace Perfloop.Tests.Measurement;

public class MetricNamesTests
{
    [Fact]
    public void Metric_lines_are_read_and_other_lines_ignored()
    {
        var metrics = MetricNames.Parse("warming up\nMETRIC throughput=1234.5\nMETRIC p95_ms = 12e-1\nMETRIC bad=abc\nnot METRIC x=1\n");
        Assert.Equal(1234.5, metrics["throughput"]);
        Assert.Equal(1.2, metrics["p95_ms"], 10);
        Assert.Equal(2, metrics.Count);
    }

    [Fact]
    public void Samples_round_trip_through_samples_tsv()
    {
        var samples = new[]
        {
            new RunSample(0, Side.Baseline, 0, 812.25, 790.5, 45.5, 0, new Dictionary<string, double> { ["ops"] = 1e6 }),
            new RunSample(0, Side.Candidate, 1, 540.125, null, null, 0, new Dictionary<string, double>()),
        };
        var back = SampleTable.Parse(SampleTable.Format(samples));
        Assert.Equal(2, back.Count);
        Assert.Equal(812.25, back[0].WallMs);
        Assert.Equal(1e6, back[0].Metrics["ops"]);
        Assert.Null(back[1].CpuMs);
        Assert.Equal(Side.Candidate, back[1].Side);
    }
}
