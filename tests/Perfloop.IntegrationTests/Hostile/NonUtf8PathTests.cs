using System.Diagnostics;
using Perfloop.Configuration;
using Perfloop.IntegrationTests.Fixtures;
using Perfloop.Journal;

namespace Perfloop.IntegrationTests.Hostile;

/// <summary>
/// File names that are not UTF-8 (Latin-1 bytes): a candidate that creates one is measured, committed byte for byte
/// or restored away, an interrupted experiment holding one is abandoned cleanly, and nothing wedges the repository
/// (before: "git add -N … pathspec 'f��.txt' did not match" on every later run and abandon).
/// </summary>
public sealed class NonUtf8PathTests
{
    /// <summary>The bench reports a metric that halves when the flag file exists: a verdict no machine load can move.</summary>
    const string FlagBench = "sh app.sh; if ls | grep -q flag; then echo \"METRIC work=$((50 + $$ % 3))\"; else echo \"METRIC work=$((100 + $$ % 3))\"; fi";

    const string FlagConfig = "\"metric\": { \"name\": \"work\", \"goal\": \"lower\" }, \"fidelity\": \"warn\", \"e2e\": { \"enabled\": false }, \"measurement\": { \"warmupRuns\": 0, \"minRuns\": 10, \"maxRuns\": 20, \"calibrationRuns\": 3, \"maxSeconds\": 60 }";

    /// <summary>Creates flag-&lt;0xE9&gt;.txt (Latin-1 'é', invalid as UTF-8) in <paramref name="directory"/>.</summary>
    static void CreateLatin1Flag(string directory) => Sh(directory, """printf 'on\n' > "$(printf 'flag-\351.txt')" """);

    static byte[] Latin1FlagName => [.. "flag-"u8, 0xE9, .. ".txt"u8];

    /// <summary>.NET cannot delete a file whose name is not UTF-8; the shell can, before the fixture removes the folders.</summary>
    static void RemoveLatin1Names(TempGitRepository repo)
    {
        Sh(repo.Root, "find . -name 'flag-*' -exec rm -f {} +");
        Sh(repo.Candidates, "rm -f ./*");
    }

    static void Sh(string directory, string script)
    {
        using var process = Process.Start(new ProcessStartInfo("sh", ["-c", script]) { WorkingDirectory = directory })!;
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }

    /// <summary>The raw bytes of the names git lists in HEAD.</summary>
    static List<byte[]> NamesInHead(TempGitRepository repo)
    {
        var start = new ProcessStartInfo("git", ["ls-tree", "-r", "-z", "--name-only", "HEAD"]) { WorkingDirectory = repo.Root, RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        using var bytes = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(bytes);
        process.WaitForExit();
        return bytes.ToArray().Aggregate(new List<List<byte>> { new() }, (names, b) =>
        {
            if (b == 0)
            {
                names.Add([]);
            }
            else
            {
                names[^1].Add(b);
            }

            return names;
        }).Where(n => n.Count > 0).Select(n => n.ToArray()).ToList();
    }

    [Fact]
    public void A_candidate_creating_a_latin1_file_name_is_kept_with_the_exact_bytes()
    {
        using var repo = ShellProject.Create(bench: FlagBench, extraConfig: FlagConfig);
        using var cleanup = new Cleanup(repo);
        repo.MakeCandidate("0001-flag.patch", "Adds a flag with a Latin-1 name", ["Target: app.sh", "Category: algorithm"], r => CreateLatin1Flag(r.Root));

        var result = PerfloopProcess.Run(repo.Root, "run", "--candidates", repo.Candidates);

        Assert.True(result.ExitCode == 0, result.Stderr);
        var row = ShellProject.Rows(repo).Single(r => r.Summary == "Adds a flag with a Latin-1 name");
        Assert.True(row.Status == ExperimentStatus.Keep, $"{row.StatusText}: {row.Reason}");
        Assert.Contains(NamesInHead(repo), name => name.SequenceEqual(Latin1FlagName));
        ShellProject.AssertSafeEnd(repo);
        // The saved diff names the file in git's quoted form, which git apply takes back.
        Assert.Contains("flag-\\351.txt", File.ReadAllText(Path.Combine(PerfloopPaths.Experiment(repo.Root, row.Experiment), "candidate.diff")), StringComparison.Ordinal);
    }

    [Fact]
    public void A_discarded_candidate_with_a_latin1_file_name_leaves_a_clean_tree_and_the_next_run_works()
    {
        // Same metric either way: the candidate is discarded and its file must be removed by the restore.
        using var repo = ShellProject.Create(bench: "sh app.sh; echo 'METRIC work=100'", extraConfig: FlagConfig);
        using var cleanup = new Cleanup(repo);
        repo.MakeCandidate("0001-flag.patch", "Adds a useless Latin-1 file", ["Target: app.sh", "Category: algorithm"], r => CreateLatin1Flag(r.Root));

        var first = PerfloopProcess.Run(repo.Root, "run", "--candidates", repo.Candidates);
        var second = PerfloopProcess.Run(repo.Root, "run", "--candidates", repo.Candidates);

        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.All(ShellProject.Rows(repo).Where(r => r.IsExperiment), r => Assert.Equal(ExperimentStatus.Discard, r.Status));
        ShellProject.AssertSafeEnd(repo);
        Assert.Empty(Directory.EnumerateFiles(repo.Root, "flag*"));
    }

    [Fact]
    public void An_experiment_holding_a_latin1_file_name_is_abandoned_cleanly_and_does_not_wedge_the_repository()
    {
        using var repo = ShellProject.Create(bench: FlagBench, extraConfig: FlagConfig);
        using var cleanup = new Cleanup(repo);
        var start = PerfloopProcess.Run(repo.Root, "experiment", "start", "--target", "app.sh");
        Assert.True(start.ExitCode == 0, start.Stderr);
        CreateLatin1Flag(repo.Root);

        var abandon = PerfloopProcess.Run(repo.Root, "experiment", "abandon");

        Assert.True(abandon.ExitCode == 0, abandon.Stderr);
        var row = ShellProject.Rows(repo).Last(r => r.IsExperiment);
        Assert.Equal(ExperimentStatus.Crash, row.Status);
        Assert.Contains("flag-\\351.txt", File.ReadAllText(Path.Combine(PerfloopPaths.Experiment(repo.Root, row.Experiment), "candidate.diff")), StringComparison.Ordinal);
        ShellProject.AssertSafeEnd(repo);
        var next = PerfloopProcess.Run(repo.Root, "experiment", "start", "--target", "app.sh");
        Assert.True(next.ExitCode == 0, next.Stderr);
    }

    [Fact]
    public void A_candidate_patch_whose_own_file_name_is_not_utf8_is_one_clear_line_and_exit_2()
    {
        using var repo = ShellProject.Create();
        using var cleanup = new Cleanup(repo);
        Sh(repo.Candidates, """printf 'Subject: [PATCH] x\n\n---\n' > "$(printf '0001-caf\351.patch')" """);

        var result = PerfloopProcess.Run(repo.Root, "run", "--candidates", repo.Candidates);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("perfloop: --candidates: the file name", line, StringComparison.Ordinal);
        Assert.Contains("is not valid UTF-8", line, StringComparison.Ordinal);
    }

    sealed class Cleanup(TempGitRepository repo) : IDisposable
    {
        public void Dispose() => RemoveLatin1Names(repo);
    }
}
