using System.Runtime.Versioning;
using Perfloop.IntegrationTests.Fixtures;
using Perfloop.Journal;

namespace Perfloop.IntegrationTests.Hostile;

/// <summary>
/// The user's git hooks do not run on Perfloop's KEEP commits: a pre-commit hook that reformats would commit code other
/// than the code measured, a commit-msg hook could refuse the structured message, a post-commit hook could push. The
/// commit holds exactly the measured change; the hooks' checks belong in the guard.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class GitHooksTests
{
    [Fact]
    public void A_keep_commit_holds_exactly_the_measured_change_and_runs_no_hook()
    {
        var marker = Path.Combine(Path.GetTempPath(), $"perfloop-hook-ran-{Guid.NewGuid():N}");
        using var repo = ShellProject.Create(
            bench: "sh app.sh; if [ -f lib/fast ]; then echo \"METRIC work=$((50 + $$ % 3))\"; else echo \"METRIC work=$((100 + $$ % 3))\"; fi",
            extraConfig: "\"metric\": { \"name\": \"work\", \"goal\": \"lower\" }, \"fidelity\": \"warn\", \"e2e\": { \"enabled\": false }, " +
                "\"measurement\": { \"warmupRuns\": 0, \"minRuns\": 10, \"maxRuns\": 20, \"calibrationRuns\": 3, \"maxSeconds\": 60 }");
        repo.MakeCandidate("0001-fast.patch", "Faster", ["Target: app.sh", "Category: algorithm"], r => r.Write("lib/fast", "measured content\n"));
        var hooks = Path.Combine(repo.Root, ".git", "hooks");
        foreach (var hook in new[] { "pre-commit", "prepare-commit-msg", "commit-msg", "post-commit" })
        {
            // Each hook leaves a trace; pre-commit also "reformats" the staged file, commit-msg refuses every message.
            var body = $"#!/bin/sh\necho {hook} >> {marker}\n" + hook switch
            {
                "pre-commit" => "[ -f lib/fast ] && echo reformatted > lib/fast && git add lib/fast\n",
                "commit-msg" => "exit 1\n",
                _ => "",
            };
            File.WriteAllText(Path.Combine(hooks, hook), body);
            File.SetUnixFileMode(Path.Combine(hooks, hook), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        try
        {
            var result = PerfloopProcess.Run(repo.Root, "run", "--candidates", repo.Candidates);

            Assert.True(result.ExitCode == 0, result.Stderr);
            var row = ShellProject.Rows(repo).Single(r => r.Summary == "Faster");
            Assert.True(row.Status == ExperimentStatus.Keep, $"{row.StatusText}: {row.Reason}");
            Assert.Equal("measured content\n", repo.Git("show", "HEAD:lib/fast"));
            Assert.False(File.Exists(marker), File.Exists(marker) ? $"hooks ran: {File.ReadAllText(marker)}" : "");
            ShellProject.AssertSafeEnd(repo);
        }
        finally
        {
            File.Delete(marker);
        }
    }
}
