using Perfloop.Configuration;
using Perfloop.Measurement;
using Perfloop.Statistics;
using DomainTable = Perfloop.Domains.Domains;

namespace Perfloop.Tests.Measurement;

public class MetricSelectionTests
{
    [Theory]
    [InlineData("cpu", "wall_ms", "ms")]
    [InlineData("memory", "peak_rss_mb", "MB")]
    [InlineData("async", "wall_ms", "ms")]
    [InlineData("structure", "wall_ms", "ms")]
    public void Each_domain_has_its_primary_metric_lower_is_better(string domain, string name, string unit)
    {
        var selected = MetricSelection.Select(new PerfloopConfig { Bench = "b", Domain = domain }, DomainTable.Find(domain)!);

        Assert.Equal(name, selected.Name);
        Assert.Equal(unit, selected.Unit);
        Assert.Equal(MetricDirection.LowerIsBetter, selected.Direction);
        Assert.True(selected.Sources.IsEmpty);
    }

    [Fact]
    public void The_config_overrides_name_and_goal()
    {
        var config = new PerfloopConfig { Bench = "b", Domain = "async", Metric = new MetricSettings { Name = "throughput", Goal = "Higher" } };

        var selected = MetricSelection.Select(config, DomainTable.Async);

        Assert.Equal("throughput", selected.Name);
        Assert.Equal(MetricDirection.HigherIsBetter, selected.Direction);
        Assert.Equal("", selected.Unit);
        Assert.Equal("throughput (higher is better)", selected.Describe());
    }

    [Theory]
    [InlineData("cpu_ms", "ms")]
    [InlineData("peak_rss_mb", "MB")]
    [InlineData("bdn.median_ns", "ns")]
    [InlineData("bdn.Parser.Parse.allocated_bytes", "B")]
    public void Known_metrics_need_no_goal(string name, string unit)
    {
        var config = new PerfloopConfig { Bench = "b", Domain = "memory", Metric = new MetricSettings { Name = name } };

        var selected = MetricSelection.Select(config, DomainTable.Memory);

        Assert.Equal(MetricDirection.LowerIsBetter, selected.Direction);
        Assert.Equal(unit, selected.Unit);
    }

    [Fact]
    public void A_goal_overrides_even_a_known_direction()
    {
        var config = new PerfloopConfig { Bench = "b", Metric = new MetricSettings { Name = "wall_ms", Goal = "higher" } };

        Assert.Equal(MetricDirection.HigherIsBetter, MetricSelection.Select(config, DomainTable.Cpu).Direction);
    }

    [Fact]
    public void Sources_come_from_the_config()
    {
        var config = new PerfloopConfig
        {
            Bench = "b",
            Metric = new MetricSettings { Name = "p95_ms", Goal = "lower" },
            Metrics = new MetricSourceSettings { JsonFile = "m.json", Select = new Dictionary<string, string> { ["p95_ms"] = "latency.p95" } },
        };

        var selected = MetricSelection.Select(config, DomainTable.Async);

        Assert.Equal("m.json", selected.Sources.JsonFile);
        Assert.Equal("latency.p95", selected.Sources.Select!["p95_ms"]);
        Assert.Null(selected.Sources.BenchmarkDotNetDirectory);
    }
}

public class InstructionMetricSettingTests
{
    [Fact]
    public void Instructions_are_a_known_metric_whose_counter_defaults_to_auto()
    {
        var config = ConfigStore.Parse("""{ "bench": "./app", "metric": { "name": "instructions" } }""");

        var selected = MetricSelection.Select(config, DomainTable.Cpu);

        Assert.Equal(MetricNames.Instructions, selected.Name);
        Assert.Equal(MetricDirection.LowerIsBetter, selected.Direction);
        Assert.Equal(InstructionCounter.Auto, MetricSelection.InstructionCounterSetting(config));
        Assert.Null(MetricSelection.InstructionCounterSetting(ConfigStore.Parse("""{ "bench": "./app" }""")));
        Assert.Equal("callgrind", MetricSelection.InstructionCounterSetting(ConfigStore.Parse("""{ "bench": "./app", "measurement": { "instructionCounter": "Callgrind" } }""")));
    }

    [Fact]
    public void An_unknown_counter_is_refused_with_the_key()
    {
        var error = Assert.Throws<Perfloop.Errors.PerfloopException>(() => ConfigStore.Parse("""{ "bench": "./app", "measurement": { "instructionCounter": "papi" } }"""));

        Assert.Contains("$.measurement.instructionCounter: must be \"auto\", \"callgrind\" or \"perf\" (is \"papi\")", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_counter_and_the_choice_by_evidence_are_part_of_the_methodology()
    {
        var plain = Methodology.Of(ConfigStore.Parse("""{ "bench": "./app" }"""), DomainTable.Cpu);
        var counted = Methodology.Of(ConfigStore.Parse("""{ "bench": "./app", "measurement": { "instructionCounter": "callgrind" } }"""), DomainTable.Cpu);
        var named = Methodology.Of(ConfigStore.Parse("""{ "bench": "./app", "metric": { "name": "wall_ms" } }"""), DomainTable.Cpu);

        Assert.True(plain.ChoosesMetricByEvidence);
        Assert.True(plain.Judges(MetricNames.CpuMs));
        Assert.False(named.ChoosesMetricByEvidence);
        Assert.False(named.Judges(MetricNames.CpuMs));
        Assert.Equal(["measurement.instructionCounter"], counted.ChangesFrom(plain));
        Assert.Equal(["metric choice"], named.ChangesFrom(plain));
    }
}
