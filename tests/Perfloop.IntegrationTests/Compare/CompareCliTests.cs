using System.Text.Json;
using Perfloop.IntegrationTests.Fixtures;

namespace Perfloop.IntegrationTests.Compare;

/// <summary>
/// `perfloop compare` on a repository with a commit of known effect: the program's cost is a sleep that goes
/// from 0.2 s to 0.1 s, and perfloop.json judges on the sleeps' total the program reports (<see cref="SleepProgram"/>),
/// so the ratio is exactly one half however busy the machine is (its wall time would be (100 + s)/(200 + s), s the
/// start-up of sh and sleep: a few ms quiet, tens of ms or more under load).
/// </summary>
public sealed class CompareCliTests : IClassFixture<CompareCliTests.KnownEffectRepository>
{
    readonly KnownEffectRepository fixture;

    public CompareCliTests(KnownEffectRepository fixture) => this.fixture = fixture;

    public sealed class KnownEffectRepository : IDisposable
    {
        public TempGitRepository Repo { get; } = new();

        public KnownEffectRepository()
        {
            Repo.Write("app.sh", App("0.2"));
            Repo.Write(Perfloop.Configuration.PerfloopConfig.FileName, $$"""{ "bench": "sh app.sh", "metric": { "name": "{{SleepProgram.Metric}}", "goal": "lower" } }""");
            Repo.CommitAll("program");
            Repo.Write("app.sh", App("0.1"));
            Repo.CommitAll("Sleep half as long");
        }

        public void Dispose() => Repo.Dispose();

        static string App(string sleep) =>
            "#!/bin/sh\n" + SleepProgram.Prelude + $"sleep {sleep}\necho METRIC alloc_bytes=4096\necho \"METRIC sleep_ms=$slept\"\n";
    }

    [Fact]
    public void Json_reports_a_faster_head_with_an_interval_near_one_half()
    {
        var result = PerfloopProcess.Run(fixture.Repo.Root, "compare", "HEAD~1", "HEAD", "--bench", "sh app.sh", "--build", "test -f app.sh", "--format", "json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        Assert.Equal("perfloop.compare/v1", root.GetProperty("schema").GetString());
        Assert.Equal(fixture.Repo.Git("rev-parse", "HEAD~1").Trim(), root.GetProperty("base").GetProperty("commit").GetString());
        Assert.Equal("Sleep half as long", root.GetProperty("head").GetProperty("subject").GetString());
        Assert.False(root.GetProperty("regression").GetBoolean());

        var bench = Assert.Single(root.GetProperty("benchmarks").EnumerateArray());
        Assert.Equal("faster", bench.GetProperty("verdict").GetString());
        var (ratio, low, high) = (bench.GetProperty("ratio").GetDouble(), bench.GetProperty("ciLow").GetDouble(), bench.GetProperty("ciHigh").GetDouble());
        Assert.Equal((0.5, 0.5, 0.5), (ratio, low, high));
        Assert.Equal(2, bench.GetProperty("speedup").GetDouble(), 6);
        Assert.Equal(SleepProgram.Metric, root.GetProperty("metric").GetString());
        Assert.Equal(4096, bench.GetProperty("allocations").GetProperty("head").GetDouble());
        Assert.Equal(bench.GetProperty("pairs").GetInt32(), bench.GetProperty("samples").GetProperty("base").GetArrayLength());

        // Progress went to stderr, nothing else to stdout; the worktrees are gone.
        Assert.Contains("benchmarking", result.Stderr);
        Assert.DoesNotContain("perfloop-worktrees", fixture.Repo.Git("worktree", "list"));
    }

    [Fact]
    public void Markdown_is_a_table_fit_for_a_pull_request()
    {
        var result = PerfloopProcess.Run(fixture.Repo.Root, "compare", "HEAD~1", "HEAD", "--bench", "sh app.sh", "--format", "md");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.StartsWith("### Perfloop compare: `HEAD~1` → `HEAD`", result.Stdout);
        Assert.Contains("| benchmark | base | head |", result.Stdout);
        Assert.Contains("| `sh app.sh` |", result.Stdout);
        Assert.Contains("✅ faster (", result.Stdout);
    }

    [Fact]
    public void Fail_on_regression_exits_3_when_the_head_is_slower()
    {
        var output = Path.Combine(fixture.Repo.Root, "..", Path.GetFileName(fixture.Repo.Root) + "-compare.md");
        try
        {
            var result = PerfloopProcess.Run(fixture.Repo.Root, "compare", "HEAD", "HEAD~1", "--bench", "sh app.sh", "--format", "md", "--output", output, "--fail-on-regression");
            Assert.True(result.ExitCode == 3, $"exit {result.ExitCode}: {result.Stderr}");
            Assert.Equal("", result.Stdout);
            Assert.Contains("❌ slower", File.ReadAllText(output));
            Assert.Contains("Regression", result.Stderr);
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Fact]
    public void Without_config_or_bench_it_exits_2_with_one_line()
    {
        using var repo = new TempGitRepository();
        repo.Write("app.sh", "#!/bin/sh\necho one\n");
        repo.CommitAll("one");
        repo.Write("app.sh", "#!/bin/sh\necho two\n");
        repo.CommitAll("two");
        var result = PerfloopProcess.Run(repo.Root, "compare", "HEAD~1", "HEAD");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--bench", Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public void An_unknown_ref_exits_2_naming_it()
    {
        var result = PerfloopProcess.Run(fixture.Repo.Root, "compare", "no-such-branch", "HEAD", "--bench", "true");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("unknown revision 'no-such-branch'", result.Stderr);
    }

    [Fact]
    public async Task A_leftover_worktree_of_a_killed_run_is_pruned_by_the_next_compare()
    {
        var repository = await Perfloop.Git.GitRepository.OpenAsync(new Perfloop.Processes.ProcessRunner(), fixture.Repo.Root);
        // A worktree whose owner died: created, never disposed.
        var leftover = await repository.AddWorktreeAsync(fixture.Repo.Git("rev-parse", "HEAD").Trim());
        Assert.True(Directory.Exists(leftover.Directory));
        var result = PerfloopProcess.Run(fixture.Repo.Root, "compare", "HEAD", "HEAD", "--bench", "sh app.sh", "--format", "json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.False(Directory.Exists(leftover.Directory));
    }
}
