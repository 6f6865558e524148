using Perfloop.Configuration;
using Perfloop.Errors;

namespace Perfloop.Tests.Cluster;

public class ExecutorSettingsTests
{
    [Fact]
    public void Without_an_executor_key_candidates_run_locally_and_nothing_is_written_back()
    {
        var config = ConfigStore.Parse("""{ "bench": "./bench.sh" }""");
        Assert.Null(config.Executor);
        Assert.False((config.Executor ?? ExecutorSettings.Default).IsCluster);
        Assert.DoesNotContain("executor", System.Text.Json.JsonSerializer.Serialize(config, ConfigStore.JsonOptions), StringComparison.Ordinal);
    }

    [Fact]
    public void A_slurm_executor_is_read_with_its_defaults()
    {
        var config = ConfigStore.Parse("""
            { "bench": "./bench.sh",
              "executor": { "kind": "slurm", "jobs": 8, "partition": "bench", "timeLimit": "0-02:00:00",
                            "sbatchOptions": ["--account=perf", "--constraint=skylake", "--qos=high"] } }
            """);
        var executor = config.Executor!;
        Assert.True(executor.IsCluster);
        Assert.Equal(8, executor.Jobs);
        Assert.Equal("bench", executor.Partition);
        Assert.Equal(["--account=perf", "--constraint=skylake", "--qos=high"], executor.SbatchOptions);
        Assert.Equal(["perfloop"], executor.Command);
        Assert.Null(executor.SharedDirectory);
        Assert.Equal(5, executor.PollSeconds);
    }

    [Theory]
    [InlineData("""{ "kind": "kubernetes" }""", "$.executor.kind", "\"local\" or \"slurm\"")]
    [InlineData("""{ "kind": "slurm", "jobs": 0 }""", "$.executor.jobs", "between 1 and 256")]
    [InlineData("""{ "kind": "slurm", "jobs": 1000 }""", "$.executor.jobs", "between 1 and 256")]
    [InlineData("""{ "jobs": 4 }""", "$.executor.jobs", "one candidate at a time")]
    [InlineData("""{ "kind": "slurm", "jobs": "four" }""", "$.executor.jobs", "wrong type")]
    [InlineData("""{ "kind": "slurm", "partition": "a b" }""", "$.executor.partition", "not a partition name")]
    [InlineData("""{ "kind": "slurm", "partition": "" }""", "$.executor.partition", "not a partition name")]
    [InlineData("""{ "kind": "slurm", "timeLimit": "2h" }""", "$.executor.timeLimit", "HH:MM:SS")]
    [InlineData("""{ "kind": "slurm", "timeLimit": "UNLIMITED" }""", "$.executor.timeLimit", "positive Slurm time")]
    [InlineData("""{ "kind": "slurm", "sbatchOptions": ["account=perf"] }""", "$.executor.sbatchOptions[0]", "one option per element")]
    [InlineData("""{ "kind": "slurm", "sbatchOptions": ["--account=perf", ""] }""", "$.executor.sbatchOptions[1]", "not an sbatch option")]
    [InlineData("""{ "kind": "slurm", "sbatchOptions": ["--partition=x"] }""", "$.executor.sbatchOptions[0]", "set executor.partition instead")]
    [InlineData("""{ "kind": "slurm", "sbatchOptions": ["-pdebug"] }""", "$.executor.sbatchOptions[0]", "set executor.partition instead")]
    [InlineData("""{ "kind": "slurm", "sbatchOptions": ["--time=10"] }""", "$.executor.sbatchOptions[0]", "executor.timeLimit")]
    [InlineData("""{ "kind": "slurm", "sbatchOptions": ["--oversubscribe"] }""", "$.executor.sbatchOptions[0]", "must not share its node")]
    [InlineData("""{ "kind": "slurm", "sbatchOptions": ["--requeue"] }""", "$.executor.sbatchOptions[0]", "node failed")]
    [InlineData("""{ "kind": "slurm", "sharedDirectory": "shared/perfloop" }""", "$.executor.sharedDirectory", "absolute path")]
    [InlineData("""{ "kind": "slurm", "command": [] }""", "$.executor.command", "as a list")]
    [InlineData("""{ "kind": "slurm", "pollSeconds": 0.2 }""", "$.executor.pollSeconds", "between 1 and 600")]
    [InlineData("""{ "kind": "slurm", "jbos": 4 }""", "jbos", "unknown key")]
    public void Bad_executor_values_are_one_line_naming_the_key(string executor, string key, string problem)
    {
        var error = Assert.Throws<PerfloopException>(() => ConfigStore.Parse($$"""{ "bench": "x", "executor": {{executor}} }"""));
        Assert.Equal(ExitCodes.Usage, error.ExitCode);
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }
}

public class ExecutorFlagsTests
{
    [Fact]
    public void Settings_changed_by_flags_get_the_same_checks()
    {
        var settings = ExecutorSettings.Default with { Kind = ExecutorSettings.Slurm, Jobs = 8 };
        Assert.Same(settings, settings.Validated());
        var error = Assert.Throws<PerfloopException>(() => (ExecutorSettings.Default with { Jobs = 8 }).Validated());
        Assert.Contains("$.executor.jobs: the local executor evaluates one candidate at a time", error.Message, StringComparison.Ordinal);
    }
}
