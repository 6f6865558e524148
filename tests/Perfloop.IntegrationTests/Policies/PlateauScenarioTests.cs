using Perfloop.Configuration;
using Perfloop.Experiments;
using Perfloop.Implementers;
using Perfloop.Init;
using Perfloop.IntegrationTests.Fixtures;
using Perfloop.Journal;
using Perfloop.Policies;
using Perfloop.Processes;
using Perfloop.Sessions;

namespace Perfloop.IntegrationTests.Policies;

/// <summary>
/// A ranking whose top three candidates are not worth a change (outside the repository, a sliver of the profile,
/// under the measured floor): after three discards the session stops on a plateau and says what is left and why.
/// A second run picks up the first one's HANDOFF.md and learnings.md.
/// </summary>
public sealed class PlateauScenarioTests
{
    const string Ranking = """
        { "schema": "perfloop.bottlenecks/v1", "headSha": null,
          "functions": [
            { "rank": 1, "function": "libc nanosleep", "file": null, "selfPercent": 90, "totalPercent": 90, "category": "io-wait", "amdahlBound": 10, "optimizable": false, "notOptimizableReason": "outside the repository (libc)" },
            { "rank": 2, "function": "setup", "file": "lib/setup.sh", "selfPercent": 1.5, "totalPercent": 1.5, "category": "startup", "amdahlBound": 1.02, "optimizable": true, "notOptimizableReason": null },
            { "rank": 3, "function": "main", "file": "app.sh", "selfPercent": 2.5, "totalPercent": 2.5, "category": "compute", "amdahlBound": 1.03, "optimizable": true, "notOptimizableReason": null }
          ] }
        """;

    [Fact]
    public async Task Three_discards_with_non_optimizable_top_candidates_stop_on_a_plateau_and_the_next_run_picks_up()
    {
        using var repo = new TempGitRepository();
        repo.Write("lib/setup.sh", "sleep 0.02\n");
        repo.Write("app.sh", "#!/bin/sh\n. ./lib/setup.sh\necho \"result 42\"\n");
        repo.CommitAll("program");
        for (var i = 1; i <= 4; i++)
        {
            var value = i;
            repo.MakeCandidate($"{i:D2}-wrong.patch", $"Wrong {i}", [$"Strategy: {Domains.Domains.Cpu.RotationOrder[i]}"],
                r => r.Write("app.sh", r.Read("app.sh").Replace("result 42", $"result {value}", StringComparison.Ordinal)));
        }

        var runner = new ProcessRunner();
        await ProjectInitializer.InitAsync(runner, new InitOptions(repo.Root, "sh app.sh") { Oracles = ["sh app.sh"] }, CancellationToken.None);
        var config = ConfigStore.Load(repo.Root);
        ConfigStore.Save(repo.Root, config with { Measurement = config.Measurement with { CalibrationRuns = 4 } });
        repo.CommitAll("perfloop config");
        Directory.CreateDirectory(PerfloopPaths.StateDirectory(repo.Root));
        File.WriteAllText(RankingSnapshot.PathIn(repo.Root), Ranking);

        var reporter = new RecordingReporter();
        var summary = await new ExperimentSession(new EngineServices(runner, reporter, TimeProvider.System))
            .RunAsync(new RunOptions(repo.Root, await PatchSeries.LoadAsync(repo.Candidates, new ProcessRunner())) { WithoutGuard = true }, CancellationToken.None);

        Assert.Equal(PolicyEvents.Plateau, summary.Stop?.Rule);
        var rows = ResultsTable.Read(PerfloopPaths.Results(repo.Root));
        Assert.Equal(3, rows.Count(r => r.IsExperiment));
        var plateau = Assert.Single(rows, r => r.Status == ExperimentStatus.Event && r.Target == PolicyEvents.Plateau);
        Assert.Contains("libc nanosleep (90%): outside the repository (libc)", plateau.Reason);
        Assert.Contains("setup (1.5%): under 2% of the profile", plateau.Reason);
        Assert.Contains("main (2.5%): at the measured floor", plateau.Reason);
        Assert.Contains(reporter.Lines, l => l.StartsWith("[policy] plateau: the top 3 remaining candidates are non-optimizable", StringComparison.Ordinal));
        // A candidate without a Target trailer gets the ranking's pick, with category and Amdahl impact.
        Assert.Contains("[experiment 1] Target: setup (lib/setup.sh) (startup, 1.5% of time, ≤1.02x)", reporter.Lines);
        var handoff = File.ReadAllText(SessionEnd.HandoffPath(repo.Root));
        Assert.Contains("- Stopped: plateau — the top 3 remaining candidates are non-optimizable", handoff);

        var second = new RecordingReporter();
        await new ExperimentSession(new EngineServices(runner, second, TimeProvider.System))
            .RunAsync(new RunOptions(repo.Root, await PatchSeries.LoadAsync(repo.Candidates, new ProcessRunner())) { MaxExperiments = 1, WithoutGuard = true }, CancellationToken.None);
        var pickup = Assert.Single(second.Lines, l => l.StartsWith("[session] picked up HANDOFF.md", StringComparison.Ordinal));
        Assert.Contains("stopped on plateau", pickup);
        Assert.Contains("learnings.md (1 session(s)): 0 technique(s) that worked, 3 that didn't", pickup);
        Assert.Equal(2, File.ReadAllText(SessionEnd.LearningsPath(repo.Root)).Split("\n## ").Length);
    }
}
