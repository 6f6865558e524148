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

public class SampleTableLoadTests
{
    [Fact]
    public void Load_evidence_round_trips_and_is_readable_by_name()
    {
        var sample = new RunSample(3, Side.Baseline, 7, 120.5, 30.25, 2, 0, new Dictionary<string, double> { [MetricNames.Instructions] = 260140114 })
        {
            Load = new RunLoad(1, 37, 96.5, 5.25, 89.75),
        };

        var back = SampleTable.Parse(SampleTable.Format([sample])).Single();

        Assert.Equal(sample.Load, back.Load);
        Assert.Equal(37, back.Value(MetricNames.InvoluntarySwitches));
        Assert.Equal(1, back.Value(MetricNames.VoluntarySwitches));
        Assert.Equal(96.5, back.Value(MetricNames.CpuPressurePct));
        Assert.Equal(5.25, back.Value(MetricNames.LoadAverage));
        Assert.Equal(89.75, back.Value(MetricNames.RunQueueWaitMs));
        Assert.Equal(260140114, back.Value(MetricNames.Instructions));
    }

    [Fact]
    public void A_samples_file_from_before_the_load_columns_still_parses_with_the_evidence_unknown()
    {
        const string Old = "pair\tside\torder\twall_ms\tcpu_ms\tpeak_rss_mb\texit_code\tmetrics\n0\tbaseline\t0\t31.5\t30.1\t1.5\t0\tops=5\n0\tcandidate\t1\t29\t\t\t0\t\n";

        var samples = SampleTable.Parse(Old);

        Assert.Equal(2, samples.Count);
        Assert.Equal(RunLoad.None, samples[0].Load);
        Assert.False(samples[1].Load.IsKnown);
        Assert.Equal(5, samples[0].Metrics["ops"]);
        Assert.Null(samples[0].Value(MetricNames.CpuPressurePct));
    }

    [Fact]
    public void A_missing_measurement_stays_empty_in_the_file()
    {
        var sample = new RunSample(0, Side.Candidate, 0, 10, null, null, 0, new Dictionary<string, double>()) { Load = new RunLoad(2, 3, null, 0.5, null) };

        var text = SampleTable.Format([sample]);
        var back = SampleTable.Parse(text).Single();

        Assert.EndsWith("\t2\t3\t\t0.5\t\n", text, StringComparison.Ordinal);
        Assert.Null(back.Load.CpuPressurePct);
        Assert.Null(back.Load.RunQueueWaitMs);
    }
}

public class MachineLoadTests
{
    [Fact]
    public void The_some_total_of_a_pressure_file_is_read()
    {
        var reading = MachineLoad.ParsePressure("some avg10=13.22 avg60=23.01 avg300=17.94 total=110301112\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", 42);

        Assert.Equal(new MachineLoad.PressureReading(110301112, 42), reading);
        Assert.Null(MachineLoad.ParsePressure("full avg10=0.00 total=5\n", 1));
    }

    [Fact]
    public void Pressure_is_the_share_of_time_waited_clamped_to_a_percentage()
    {
        var second = System.Diagnostics.Stopwatch.Frequency;
        var before = new MachineLoad.PressureReading(1_000_000, 10 * second);

        Assert.Equal(25, MachineLoad.PressurePct(before, new(1_250_000, 11 * second))!.Value, 6);
        Assert.Equal(100, MachineLoad.PressurePct(before, new(3_000_000, 11 * second)));
        Assert.Null(MachineLoad.PressurePct(before, null));
        Assert.Null(MachineLoad.PressurePct(before, before));
    }
}
