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
    public void Errors_name_the_key_and_say_what_is_wrong(string json, string key, string problem)
    {
        var error = Assert.Throws<PerfloopException>(() => ConfigStore.Parse(json));
        Assert.Contains(key, error.Message);
        Assert.Contains(problem, error.Message);
        Assert.Equal(ExitCodes.Usage, error.ExitCode);
        Assert.DoesNotContain('\n', error.Message);
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
}
