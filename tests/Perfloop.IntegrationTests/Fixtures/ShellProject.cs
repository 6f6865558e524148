using Perfloop.Configuration;
using Perfloop.Journal;

namespace Perfloop.IntegrationTests.Fixtures;

/// <summary>
/// A tiny shell "program" under git with a fast perfloop setup (few runs, short budgets), for loop-level
/// reliability tests that must take seconds. Candidates are format-patch files in <see cref="TempGitRepository.Candidates"/>.
/// </summary>
public static class ShellProject
{
    public const string App = "#!/bin/sh\n[ -f lib/extra.sh ] && . ./lib/extra.sh\nsleep 0.01\necho \"result 42\"\n";

    // The policies (rotation, plateau, stuck, stall) would stop a session of many discards early; these tests need every candidate tried.

    /// <summary>Measurement settings small enough for a test: 3 calibration pairs, 2–4 measured pairs.</summary>
    public const string FastMeasurement = "\"measurement\": { \"warmupRuns\": 0, \"minRuns\": 2, \"maxRuns\": 4, \"calibrationRuns\": 3, \"maxSeconds\": 20 }";

    public static TempGitRepository Create(string bench = "sh app.sh", string? guard = "sh check.sh", string extraConfig = "", string build = "sh -n app.sh")
    {
        var repo = new TempGitRepository();
        repo.Write("app.sh", App);
        repo.Write("check.sh", "#!/bin/sh\nsh app.sh | grep -q 'result 42' && echo pass\n");
        repo.Write("README.txt", "a small program\n");
        repo.Write(PerfloopConfig.FileName, $$"""
            {
              "bench": {{Quote(bench)}},
              "build": {{Quote(build)}},{{(guard is null ? "" : $"\n  \"guard\": {Quote(guard)},")}}
              "oracles": [ { "command": "sh app.sh" } ],
              {{FastMeasurement}},
              "timeouts": { "benchSeconds": 20, "buildSeconds": 20, "oracleSeconds": 20, "guardSeconds": 20 },
              "policies": { "rotateAfter": 1000, "plateauAfter": 1000, "stuckAfter": 1000, "stallWindow": 1000 }{{(extraConfig.Length > 0 ? ",\n  " + extraConfig : "")}}
            }
            """);
        repo.CommitAll("program and perfloop setup");
        File.AppendAllText(Path.Combine(repo.Root, ".git", "info", "exclude"), ".perfloop/\n");
        Directory.CreateDirectory(PerfloopPaths.StateDirectory(repo.Root));
        return repo;
    }

    static string Quote(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    /// <summary>A candidate that only adds a harmless sourced file: output unchanged, speed about the same.</summary>
    public static string Neutral(TempGitRepository repo, string fileName, string subject) =>
        repo.MakeCandidate(fileName, subject, ["Target: app.sh", "Category: algorithm"], r => r.Write("lib/extra.sh", $"# {subject}\n"));

    public static IReadOnlyList<ResultRow> Rows(TempGitRepository repo) => ResultsTable.Read(PerfloopPaths.Results(repo.Root));

    /// <summary>The invariants every test here checks at the end: clean tree at a commit, no worktree left, unique rows.</summary>
    public static void AssertSafeEnd(TempGitRepository repo)
    {
        Assert.Equal("", repo.Git("status", "--porcelain"));
        var worktrees = repo.Git("worktree", "list", "--porcelain").Split('\n').Count(l => l.StartsWith("worktree ", StringComparison.Ordinal));
        Assert.Equal(1, worktrees);
        var rows = Rows(repo);
        Assert.Null(ResultsTable.DuplicateNumber(rows));
        Assert.False(File.Exists(Perfloop.Experiments.ExperimentJournal.PathIn(repo.Root)), "the journal is gone");
    }
}
