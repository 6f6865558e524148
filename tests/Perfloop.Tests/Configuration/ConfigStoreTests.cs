using Perfloop.Configuration;
using Perfloop.Errors;

namespace Perfloop.Tests.Configuration;

public class ConfigStoreTests
{
    [Fact]
    public void A_minimal_file_gets_defaults()
    {
        var config = ConfigStore.Parse("""{ "bench": "./bench.sh" }""");
        Assert.Equal("cpu", config.Domain);
        Assert.Equal(6, config.Measurement.MinRuns);
        Assert.Empty(config.Oracles);
    }

    [Theory]
    [InlineData("""{ "bench": "x", "domain": "gpu" }""", "$.domain", "unknown domain 'gpu'")]
    [InlineData("""{ "domain": "cpu" }""", "$.bench", "missing")]
    [InlineData("""{ "bench": "x", "measurement": { "minRuns": "six" } }""", "$.measurement.minRuns", "wrong type")]
    [InlineData("""{ "bench": "x", "benchh": "y" }""", "benchh", "unknown key")]
    [InlineData("""{ "bench": "x", "measurement": { "minRuns": 10, "maxRuns": 4 } }""", "$.measurement.maxRuns", "at least minRuns")]
    [InlineData("""{ "bench": "x", "oracles": [ { "files": [] } ] }""", "$.oracles[0].command", "needs a command")]
    [InlineData("""{ "bench": "x", "version": 9 }""", "$.version", "not supported")]
    [InlineData("""{ "bench": "x", "thresholds": { "keepPct": 0 } }""", "$.thresholds.keepPct", "between 0 and 100")]
    [InlineData("""{ "bench": "x", "fidelity": "ignore" }""", "$.fidelity", "\"discard\" or \"warn\"")]
    [InlineData("""{ "bench": "x", "targets": [ { "micro": { "command": "y" } } ] }""", "$.targets[0].name", "needs a name")]
    [InlineData("""{ "bench": "x", "targets": [ { "name": "A.B", "micro": { } } ] }""", "$.targets[0].micro", "exactly one of")]
    [InlineData("""{ "bench": "x", "targets": [ { "name": "A.B", "micro": { "benchmarkDotNet": { "filter": "*A*" } } } ] }""", "$.targets[0].micro.benchmarkDotNet.project", "path")]
    [InlineData("""{ "bench": "x", "targets": [ { "name": "A.B", "micro": { "command": "y", "better": "up" } } ] }""", "$.targets[0].micro.better", "lower")]
    [InlineData("""{ "bench": "x", "metric": { "name": "" } }""", "$.metric.name", "missing")]
    [InlineData("""{ "bench": "x", "metric": { "name": "wall_ms", "goal": "smaller" } }""", "$.metric.goal", "must be \"lower\" or \"higher\"")]
    [InlineData("""{ "bench": "x", "metric": { "name": "throughput" } }""", "$.metric.goal", "not a metric Perfloop knows")]
    [InlineData("""{ "bench": "x", "metric": { "name": "bdn.median_ns" } }""", "$.metric.name", "set metrics.benchmarkDotNet")]
    [InlineData("""{ "bench": "x", "metric": { "name": "wall_ms", "goall": "lower" } }""", "goall", "unknown key")]
    [InlineData("""{ "bench": "x", "metrics": { "jsonFile": "/tmp/m.json" } }""", "$.metrics.jsonFile", "relative to the repository root")]
    [InlineData("""{ "bench": "x", "metrics": { "jsonFile": "../m.json" } }""", "$.metrics.jsonFile", "relative to the repository root")]
    [InlineData("""{ "bench": "x", "metrics": { "benchmarkDotNet": "" } }""", "$.metrics.benchmarkDotNet", "relative to the repository root")]
    [InlineData("""{ "bench": "x", "metrics": { "select": { "rps": "a.b" } } }""", "$.metrics.select", "metrics.jsonFile, which is not set")]
    [InlineData("""{ "bench": "x", "metrics": { "jsonFile": "m.json", "select": { "rps": "a..b" } } }""", "$.metrics.select.rps", "not a path")]
    [InlineData("""{ "bench": "x", "metrics": { "jsonFile": "m.json", "select": { "r=s": "a.b" } } }""", "$.metrics.select.r=s", "metric name may hold")]
    [InlineData("""{ "bench": "x", "policies": { "milestoneEvery": 7 } }""", "$.policies.milestoneEvery", "between 3 and 5")]
    [InlineData("""{ "bench": "x", "policies": { "rotateAfter": 0 } }""", "$.policies.rotateAfter", "at least 1")]
    [InlineData("""{ "bench": "x", "policies": { "stuckAftr": 5 } }""", "stuckAftr", "unknown key")]
    [InlineData("""{ "bench": "x", "escalation": { "wallOverCpuRatio": 0.5 } }""", "$.escalation.wallOverCpuRatio", "above 1")]
    [InlineData("""{ "bench": "x", "scaling": { "command": "./app 100", "sizes": [1, 2, 4] } }""", "$.scaling.command", "must contain {n}")]
    [InlineData("""{ "bench": "x", "scaling": { "command": "./app {n}", "sizes": [1000, 2000] } }""", "$.scaling.sizes", "at least 3 distinct")]
    public void Errors_name_the_key_and_say_what_is_wrong(string json, string key, string problem)
    {
        var error = Assert.Throws<PerfloopException>(() => ConfigStore.Parse(json));
        Assert.Contains(key, error.Message);
        Assert.Contains(problem, error.Message);
        Assert.Equal(ExitCodes.Usage, error.ExitCode);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Targets_with_micro_benchmarks_are_read()
    {
        var config = ConfigStore.Parse("""
            { "bench": "x", "fidelity": "warn", "thresholds": { "microPct": 15, "hotPathSharePct": 8 },
              "targets": [
                { "name": "PrimeScanner.PrimesUpTo", "profileSharePct": 36, "micro": { "command": "dotnet out/Demo.dll micro primes", "metric": "primes_ms" } },
                { "name": "Parser.Parse", "micro": { "benchmarkDotNet": { "project": "bench/Bench.csproj", "filter": "*Parse*" } } } ] }
            """);
        Assert.Equal("warn", config.Fidelity);
        Assert.Equal(8, config.Thresholds.HotPathSharePct);
        Assert.Equal("primes_ms", config.Targets[0].Micro!.Metric);
        Assert.Equal(36, config.Targets[0].ProfileSharePct);
        Assert.Equal("*Parse*", config.Targets[1].Micro!.BenchmarkDotNet!.Filter);
        Assert.Equal(5, ConfigStore.Parse("""{ "bench": "x" }""").Thresholds.HotPathSharePct);
    }

    [Fact]
    public void Metric_override_and_metric_sources_are_read()
    {
        var config = ConfigStore.Parse("""
            {
              "bench": "./bench.sh",
              "domain": "async",
              "metric": { "name": "requests_per_s", "goal": "higher" },
              "metrics": { "jsonFile": "out/metrics.json", "select": { "requests_per_s": "summary.rps" }, "benchmarkDotNet": "BenchmarkDotNet.Artifacts/results" }
            }
            """);

        Assert.Equal("requests_per_s", config.Metric!.Name);
        Assert.Equal("higher", config.Metric.Goal);
        Assert.Equal("out/metrics.json", config.Metrics.JsonFile);
        Assert.Equal("summary.rps", config.Metrics.Select!["requests_per_s"]);
        Assert.Equal("BenchmarkDotNet.Artifacts/results", config.Metrics.BenchmarkDotNet);
    }

    [Fact]
    public void Policies_default_to_the_spec_and_can_be_set()
    {
        var defaults = ConfigStore.Parse("""{ "bench": "x" }""");
        Assert.Equal((3, 3, 5, 3, 3), (defaults.Policies.RotateAfter, defaults.Policies.PlateauAfter, defaults.Policies.StuckAfter, defaults.Policies.StuckGrace, defaults.Policies.MilestoneEvery));
        Assert.Null(defaults.Scaling);
        var custom = ConfigStore.Parse("""{ "bench": "x", "policies": { "stuckAfter": 7, "milestoneEvery": 5 }, "scaling": { "command": "./app {n}", "sizes": [1000, 2000, 4000] } }""");
        Assert.Equal((7, 5), (custom.Policies.StuckAfter, custom.Policies.MilestoneEvery));
        Assert.Equal([1000, 2000, 4000], custom.Scaling!.Sizes);
    }

    [Fact]
    public void Syntax_errors_name_the_line()
    {
        var error = Assert.Throws<PerfloopException>(() => ConfigStore.Parse("{\n  \"bench\": \"x\",\n  \"domain\": cpu\n}"));
        Assert.Contains("line 3", error.Message);
    }

    [Fact]
    public void Save_then_load_round_trips()
    {
        var directory = Directory.CreateTempSubdirectory("perfloop-config-").FullName;
        try
        {
            var config = new PerfloopConfig { Bench = "make bench", Build = "make", Oracles = [new OracleSpec { Command = "./app in.txt", Files = ["out.csv"] }] };
            ConfigStore.Save(directory, config);
            var loaded = ConfigStore.Load(directory);
            Assert.Equal("make bench", loaded.Bench);
            Assert.Equal("out.csv", loaded.Oracles.Single().Files.Single());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Saved_commands_read_as_typed_not_as_unicode_escapes()
    {
        var directory = Directory.CreateTempSubdirectory("perfloop-config-").FullName;
        try
        {
            const string bench = "make && ./bench.sh < in.txt > out.txt 2>&1 | tee 'log' # naïve \"quoted\"";
            ConfigStore.Save(directory, new PerfloopConfig { Bench = bench, Build = "cd src && make" });
            var text = File.ReadAllText(ConfigStore.PathIn(directory));

            Assert.Contains("\"bench\": \"make && ./bench.sh < in.txt > out.txt 2>&1 | tee 'log' # naïve \\\"quoted\\\"\"", text);
            Assert.Contains("\"build\": \"cd src && make\"", text);
            Assert.DoesNotContain("\\u", text);
            Assert.Equal(bench, ConfigStore.Load(directory).Bench);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
