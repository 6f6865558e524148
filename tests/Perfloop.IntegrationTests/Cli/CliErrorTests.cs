using Perfloop.IntegrationTests.Fixtures;

namespace Perfloop.IntegrationTests.Cli;

public class CliErrorTests
{
    static void AssertOneClearLine(PerfloopProcess.Result result, string expected)
    {
        Assert.Equal(2, result.ExitCode);
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("perfloop: ", lines[0]);
        Assert.Contains(expected, lines[0]);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Fact]
    public void Init_outside_a_git_repository_exits_2_with_one_line()
    {
        var directory = Directory.CreateTempSubdirectory("perfloop-nogit-").FullName;
        try
        {
            AssertOneClearLine(PerfloopProcess.Run(directory, "init", "--bench", "true"), "not a git repository");
            Assert.False(File.Exists(Path.Combine(directory, "perfloop.json")));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Init_without_bench_exits_2_with_one_line()
    {
        using var repo = new TempGitRepository();
        AssertOneClearLine(PerfloopProcess.Run(repo.Root, "init"), "--bench");
    }

    [Fact]
    public void Init_without_bench_suggests_the_repositorys_BenchmarkDotNet_project()
    {
        using var repo = new TempGitRepository();
        repo.Write("bench/Speed/Speed.csproj", "<Project Sdk=\"Microsoft.NET.Sdk\">\n  <ItemGroup>\n    <PackageReference Include=\"BenchmarkDotNet\" Version=\"0.15.8\" />\n  </ItemGroup>\n</Project>\n");
        repo.Write("bench/Speed/Parsing.cs", "public class ParserBenchmarks\n{\n    [Benchmark]\n    public int Parse() => 1;\n}\n");

        var result = PerfloopProcess.Run(repo.Root, "init");

        AssertOneClearLine(result, "--bench \"dotnet run -c Release --project bench/Speed/Speed.csproj -- --filter '*ParserBenchmarks*' --exporters json\"");
        Assert.False(File.Exists(Path.Combine(repo.Root, "perfloop.json")));

        // Taking the suggestion: the loop judges BenchmarkDotNet's median per operation from its JSON export.
        var accepted = PerfloopProcess.Run(repo.Root, "init", "--bench", "dotnet run -c Release --project bench/Speed/Speed.csproj -- --filter '*ParserBenchmarks*' --exporters json");
        Assert.Equal(0, accepted.ExitCode);
        var config = Perfloop.Configuration.ConfigStore.Load(repo.Root);
        Assert.Equal("BenchmarkDotNet.Artifacts/results", config.Metrics.BenchmarkDotNet);
        Assert.Equal("bdn.median_ns", config.Metric?.Name);
    }

    [Theory]
    [InlineData("--knobs", "--candidates", "x")]
    [InlineData("--max-experiments", "2")]
    public void Run_takes_exactly_one_candidate_source(params string[] arguments)
    {
        using var repo = new TempGitRepository();
        AssertOneClearLine(PerfloopProcess.Run(repo.Root, ["run", .. arguments]), "give exactly one of --candidates DIR (a patch queue), --agent \"CMD\" (an AI agent) or --knobs");
    }

    [Fact]
    public void Init_with_an_unknown_domain_exits_2()
    {
        using var repo = new TempGitRepository();
        AssertOneClearLine(PerfloopProcess.Run(repo.Root, "init", "--bench", "true", "--domain", "gpu"), "unknown domain 'gpu'");
    }

    [Fact]
    public void Init_writes_config_conventions_and_excludes_state()
    {
        using var repo = new TempGitRepository();
        var result = PerfloopProcess.Run(repo.Root, "init", "--bench", "./bench.sh", "--guard", "make test", "--oracle", "./app a", "--oracle", "./app b", "--domain", "memory");
        Assert.Equal(0, result.ExitCode);
        var config = Perfloop.Configuration.ConfigStore.Load(repo.Root);
        Assert.Equal("memory", config.Domain);
        Assert.Equal(["./app a", "./app b"], config.Oracles.Select(o => o.Command));
        Assert.Equal("make test", Perfloop.Configuration.Conventions.LoadGuard(repo.Root));
        Assert.Contains(".perfloop/", File.ReadAllText(Path.Combine(repo.Root, ".git", "info", "exclude")));
        Assert.DoesNotContain(".perfloop", repo.Git("status", "--porcelain"));
    }

    [Fact]
    public void Run_with_a_broken_config_names_the_key_and_exits_2()
    {
        using var repo = new TempGitRepository();
        repo.Write("perfloop.json", "{ \"bench\": \"true\", \"measurement\": { \"minRuns\": \"many\" } }");
        repo.CommitAll("config");
        repo.Write("c/0001.patch", "");
        AssertOneClearLine(PerfloopProcess.Run(repo.Root, "run", "--candidates", Path.Combine(repo.Root, "c")), "$.measurement.minRuns");
    }

    [Fact]
    public void Run_refuses_a_dirty_work_tree_and_leaves_it_alone()
    {
        using var repo = new TempGitRepository();
        repo.Write("perfloop.json", "{ \"bench\": \"true\" }");
        repo.CommitAll("config");
        repo.Write("mine.txt", "my unsaved work");
        Directory.CreateDirectory(repo.Candidates);
        File.WriteAllText(Path.Combine(repo.Candidates, "0001.patch"), "Subject: [PATCH] x\n\n---\n");
        AssertOneClearLine(PerfloopProcess.Run(repo.Root, "run", "--candidates", repo.Candidates, "--no-guard"), "uncommitted changes (mine.txt)");
        Assert.Equal("my unsaved work", repo.Read("mine.txt"));
    }

    [Fact]
    public void An_unknown_option_exits_2()
    {
        using var repo = new TempGitRepository();
        var result = PerfloopProcess.Run(repo.Root, "run", "--candidates", "x", "--bogus");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--bogus", result.Stderr);
    }
}
