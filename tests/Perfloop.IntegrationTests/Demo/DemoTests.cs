using Perfloop.IntegrationTests.Fixtures;
using Perfloop.Journal;

namespace Perfloop.IntegrationTests.Demo;

/// <summary>
/// The README's first command, end to end: the embedded C# sample, its seven candidate patches, real builds and
/// benchmarks. Checks what the foundation promises: the two speed-ups kept, everything else discarded for the
/// right reason, one commit per keep, a clean tree.
/// </summary>
public sealed class DemoTests
{
    [Fact]
    public async Task Demo_keeps_the_two_speedups_and_discards_the_rest_for_the_right_reasons()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"perfloop-demo-test-{Guid.NewGuid():N}");
        try
        {
            // The demo's speed target (under 3 minutes on 2 quiet cores) is measured in bench/RESULTS.md; this limit only
            // stops a hung run, with room for a machine busy with other tests.
            var result = PerfloopProcess.RunWithin(TimeSpan.FromMinutes(12), Path.GetTempPath(), "demo", "--dir", directory);
            Assert.True(result.ExitCode == 0, $"demo exited {result.ExitCode}: {result.Stderr}\n{result.Stdout}");

            // Escalation and policy event rows (e.g. the plateau check after 3 discards) sit between the experiments.
            var rows = ResultsTable.Read(Path.Combine(directory, ".perfloop", "results.tsv"))
                .Where(r => r.Status is not ExperimentStatus.Escalate and not ExperimentStatus.Event).ToList();
            Assert.Equal(8, rows.Count);
            Assert.Equal(ExperimentStatus.Baseline, rows[0].Status);
            var byPatch = rows.Skip(1).ToList();

            Assert.Equal("keep guard_pass", byPatch[0].StatusText);
            Assert.Equal("keep guard_pass", byPatch[5].StatusText);
            Assert.All([byPatch[0], byPatch[5]], r => Assert.True(r.DeltaPct < -25, $"{r.Summary}: {r.DeltaPct}%"));

            Assert.StartsWith("output mismatch", byPatch[1].Reason);
            Assert.Equal(ExperimentStatus.Discard, byPatch[2].Status);
            Assert.Matches("^(no significant improvement|below threshold|not confirmed)", byPatch[2].Reason);
            Assert.StartsWith("regression", byPatch[3].Reason);
            Assert.Equal("discard guard_fail", byPatch[4].StatusText);
            Assert.StartsWith("guard failure", byPatch[4].Reason);
            Assert.Equal(ExperimentStatus.Discard, byPatch[6].Status);
            // Fidelity: the CSV export never runs in the bench's profile, so 0007 is discarded before benchmarking, by name.
            Assert.StartsWith("fidelity: not exercised by the benchmark", byPatch[6].Reason);
            Assert.Contains("Archive.ExportCsv", byPatch[6].Reason);
            Assert.Null(byPatch[6].DeltaPct);
            Assert.StartsWith("fail:", byPatch[6].Fidelity);
            Assert.All(byPatch.Take(6), r => Assert.StartsWith("pass:", r.Fidelity));

            // The primes target has a micro-benchmark: it runs for 0005 and 0006 and is recorded with its interval.
            Assert.All([byPatch[4], byPatch[5]], r => Assert.True(r.MicroDeltaPct < -50 && r.MicroCiHighPct < -50, $"{r.Summary}: micro {r.MicroDeltaPct}%"));
            Assert.All(byPatch.Take(4), r => Assert.Null(r.MicroDeltaPct));
            Assert.Contains("[experiment 6] Micro-benchmarking...", result.Stdout);
            Assert.Matches(@"\[experiment 6\] Micro: [0-9.]+ms → [0-9.]+ms \(median × paired ratio: −", result.Stdout);
            Assert.Contains("[experiment 7] Fidelity: fail", result.Stdout);

            var git = new GitProbe(directory);
            Assert.Equal(2 + 2, git.Lines("log", "--oneline").Count);
            Assert.Empty(git.Lines("status", "--porcelain"));
            Assert.Single(git.Lines("worktree", "list"));
            Assert.Contains("Result: ", result.Stdout);
            Assert.Contains("% CI ", result.Stdout);
            Assert.Contains("E2E: ", result.Stdout);

            // The session's HTML report, drawn by a real headless Chromium: chart present, keep/discard/baseline markers visible.
            await Reports.ReportScreenshotTests.AssertChartDrawnAsync(directory, Path.Combine(directory, ".perfloop", "results.tsv"),
                [Perfloop.Reports.ReportStyle.KeepColor, Perfloop.Reports.ReportStyle.DiscardColor, Perfloop.Reports.ReportStyle.BaselineColor]);
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    sealed class GitProbe(string directory)
    {
        public List<string> Lines(params string[] arguments)
        {
            var start = new System.Diagnostics.ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using var process = System.Diagnostics.Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        }
    }
}
