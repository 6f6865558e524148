using System.Text.Json;
using Perfloop.IntegrationTests.Fixtures;

namespace Perfloop.IntegrationTests.Ranking;

/// <summary>
/// 'perfloop profile' on real programs of each language, started directly, through a #! line or from a shell script:
/// the known hot function ranks first, the cold one far below it, the unused one not at all. Shares are asserted
/// with wide margins (the fixtures put ~99% of the work in the hot function), so load cannot flip them.
/// </summary>
public sealed class LanguageProfileTests
{
    public static TheoryData<string, string> Commands => new()
    {
        { "c", "./scan" },
        { "c", "sh run.sh" },
        { "python", "python3 scan.py" },
        { "python", "./scan.py" },
        { "python", "sh run.sh" },
        { "python", "python3 -m scan" },
        { "node", "node scan.js" },
        { "node", "sh run.sh" },
        { "java", "java -cp classes Main" },
        { "java", "sh run.sh" },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void The_hot_function_ranks_first(string language, string command)
    {
        var project = Project(language);
        using var repo = project.Create();
        File.WriteAllText(Path.Combine(repo.Root, "run.sh"), $"#!/bin/sh\necho starting\n{project.Bench}\n");
        if (command == "./scan.py" && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path.Combine(repo.Root, "scan.py"), (UnixFileMode)0b111_101_101);
        }

        // cProfile on CPU time: its default wall clock would charge a busy machine's waits to whatever ran.
        var environment = new Dictionary<string, string> { ["PERFLOOP_CPROFILE_TIMER"] = "cpu" };
        var result = PerfloopProcess.Run(repo.Root, environment, ["profile", "--", .. command.Split(' ')]);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("result ", result.Stderr, StringComparison.Ordinal); // the program's output, kept off stdout
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(repo.Root, ".perfloop", "bottlenecks.json")));
        var targets = json.RootElement.GetProperty("functions").EnumerateArray().Where(f => f.GetProperty("optimizable").GetBoolean()).ToList();
        var names = targets.Select(t => t.GetProperty("function").GetString()).ToList();
        Assert.True(names.Count > 0, result.Stdout);
        Assert.True(names[0] == project.Hot, $"expected {project.Hot} first: {string.Join(", ", names.Take(5))}");
        // A share of the repository's own code, not of every sample: a sampling profiler on a busy machine also takes
        // samples of the runtime waiting for a CPU ("(program)" in V8), which would move an absolute share with the load.
        var hot = targets[0];
        var own = targets.Sum(t => t.GetProperty("ownPercent").GetDouble());
        Assert.True(hot.GetProperty("ownPercent").GetDouble() > own / 2, $"{project.Hot} holds {hot.GetProperty("ownPercent").GetDouble()}% of {own}% in the repository's code");
        var cold = targets.FirstOrDefault(t => t.GetProperty("function").GetString() == project.Cold);
        if (cold.ValueKind == JsonValueKind.Object)
        {
            Assert.True(cold.GetProperty("totalPercent").GetDouble() < 10, $"{project.Cold} holds {cold.GetProperty("totalPercent").GetDouble()}%");
        }

        Assert.DoesNotContain(project.Unused, names);
        var format = json.RootElement.GetProperty("profile").GetProperty("format").GetString();
        Assert.Equal(language switch { "c" => "callgrind", "python" => "pstats", "node" => "cpuProfile", _ => "jfr" }, format);

        // The profiler's own file is kept, and 'rank' reads it to the same ranking.
        var kept = json.RootElement.GetProperty("profile").GetProperty("path").GetString()!;
        Assert.StartsWith(Path.Combine(repo.Root, ".perfloop", "profile."), kept, StringComparison.Ordinal);
        var rank = PerfloopProcess.Run(repo.Root, "rank", "--profile", kept, "--json");
        Assert.True(rank.ExitCode == 0, rank.Stderr);
        using var ranked = JsonDocument.Parse(rank.Stdout);
        Assert.Equal(project.Hot, ranked.RootElement.GetProperty("functions")[0].GetProperty("function").GetString());
    }

    [Fact]
    public void A_deterministic_profile_sees_the_cold_function_and_keeps_it_low()
    {
        // callgrind counts every instruction: the cold function is there, at about 1% of the hot one's cost.
        using var repo = LanguageProject.C.Create();
        var result = PerfloopProcess.Run(repo.Root, "profile", "--json", "--", "./scan");

        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        var functions = json.RootElement.GetProperty("functions").EnumerateArray().ToList();
        var hot = functions.Single(f => f.GetProperty("function").GetString() == "hot");
        var cold = functions.Single(f => f.GetProperty("function").GetString() == "cold");
        Assert.Equal("src/scan.c", hot.GetProperty("file").GetString());
        Assert.InRange(cold.GetProperty("selfPercent").GetDouble() / hot.GetProperty("selfPercent").GetDouble(), 0.001, 0.1);
        Assert.Equal("instructions", json.RootElement.GetProperty("profile").GetProperty("unit").GetString());
    }

    [Fact]
    public void A_shell_command_that_runs_nothing_profilable_is_refused_before_it_runs()
    {
        using var repo = LanguageProject.Python.Create();

        var result = PerfloopProcess.Run(repo.Root, "profile", "--", "sh", "-c", "echo hello; sort README 2>/dev/null");

        Assert.Equal(2, result.ExitCode);
        // One line: the command never ran, so its "hello" is not there.
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("perfloop: cannot profile", line, StringComparison.Ordinal);
        Assert.Contains("perfloop rank --profile FILE", line, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(repo.Root, ".perfloop", "bottlenecks.json")));
    }

    static LanguageProject Project(string language) => language switch
    {
        "c" => LanguageProject.C,
        "python" => LanguageProject.Python,
        "node" => LanguageProject.Node,
        _ => LanguageProject.Java,
    };
}
