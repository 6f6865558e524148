using Perfloop.Configuration;
using Perfloop.Measurement;
using Perfloop.Statistics;

namespace Perfloop.Tests.Measurement;

public sealed class MethodologyTests
{
    static readonly PerfloopConfig Config = new() { Bench = "./bench.sh", Build = "make" };

    static Methodology Of(PerfloopConfig config) => Methodology.Of(config, Domains.Domains.Find(config.Domain)!);

    [Fact]
    public void Same_configuration_gives_the_same_fingerprint_and_no_changes()
    {
        var a = Of(Config);
        var b = Of(Config with { Measurement = Config.Measurement with { Seed = 7 }, Timeouts = new TimeoutSettings { BenchSeconds = 5 } });
        Assert.Equal(a.Fingerprint, b.Fingerprint);
        Assert.Matches("^[0-9a-f]{12}$", a.Fingerprint);
        Assert.Empty(b.ChangesFrom(a));
        Assert.Equal("", b.DescribeChangesFrom(a));
    }

    [Fact]
    public void Every_measuring_field_changes_the_fingerprint_and_is_named()
    {
        var before = Of(Config);
        var variants = new (PerfloopConfig Config, string Field)[]
        {
            (Config with { Bench = "./bench.sh --fast" }, "bench"),
            (Config with { Build = null }, "build"),
            (Config with { Domain = "memory" }, "domain"),
            (Config with { Metric = new MetricSettings { Name = "p95_ms", Goal = "lower" } }, "metric"),
            (Config with { Metrics = new MetricSourceSettings { JsonFile = "out.json" } }, "metrics"),
            (Config with { Measurement = Config.Measurement with { WarmupRuns = 3 } }, "measurement.warmupRuns"),
            (Config with { Measurement = Config.Measurement with { MinRuns = 10 } }, "measurement.minRuns"),
            (Config with { Measurement = Config.Measurement with { MaxRuns = 30 } }, "measurement.maxRuns"),
            (Config with { Measurement = Config.Measurement with { CalibrationRuns = 20 } }, "measurement.calibrationRuns"),
            (Config with { Measurement = Config.Measurement with { MaxSeconds = 60 } }, "measurement.maxSeconds"),
            (Config with { Thresholds = new ThresholdSettings { KeepPct = 2 } }, "thresholds.keepPct"),
        };
        foreach (var (config, field) in variants)
        {
            var after = Of(config);
            Assert.NotEqual(before.Fingerprint, after.Fingerprint);
            Assert.Contains(field, after.ChangesFrom(before));
        }
    }

    [Fact]
    public void Changes_are_described_old_to_new_with_quotes_around_commands()
    {
        var before = Of(Config);
        var after = Of(Config with { Bench = "./bench.sh --fast", Build = null, Measurement = Config.Measurement with { MinRuns = 10 } });
        Assert.Equal("bench ./bench.sh → './bench.sh --fast'; build make → (none); measurement.minRuns 6 → 10", after.DescribeChangesFrom(before));
    }

    [Fact]
    public void Designs_and_direction_follow_the_fixed_settings()
    {
        var methodology = Of(Config with
        {
            Metric = new MetricSettings { Name = "rps", Goal = "higher" },
            Measurement = Config.Measurement with { MinRuns = 4, MaxRuns = 16, CalibrationRuns = 8 },
        });
        Assert.Equal(MetricDirection.HigherIsBetter, methodology.Direction);
        Assert.Equal(new SequentialDesign(4, 16), methodology.ExperimentDesign);
        Assert.Equal(new SequentialDesign(8, 8), methodology.CalibrationDesign);
    }

    [Fact]
    public void Saved_methodology_loads_back_equal_and_a_damaged_file_reads_as_unknown()
    {
        var root = Directory.CreateTempSubdirectory("perfloop-methodology-").FullName;
        try
        {
            var methodology = Of(Config);
            methodology.Save(root, 3);
            Assert.Equal(methodology, Methodology.Load(root, 3));
            Assert.Null(Methodology.Load(root, 4));
            File.WriteAllText(Methodology.PathFor(root, 3), "{ not json");
            Assert.Null(Methodology.Load(root, 3));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
