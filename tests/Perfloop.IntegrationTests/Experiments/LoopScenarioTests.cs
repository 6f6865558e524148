using Perfloop.Configuration;
using Perfloop.Experiments;
using Perfloop.Implementers;
using Perfloop.Init;
using Perfloop.IntegrationTests.Fixtures;
using Perfloop.Journal;
using Perfloop.Processes;
using Perfloop.Sessions;

namespace Perfloop.IntegrationTests.Experiments;

/// <summary>
/// One real loop over a shell "program" whose cost is a sleep, judged on the sleeps' total (<see cref="SleepProgram"/>):
/// exact effects that no load on the machine can change. Each candidate exercises one branch of the decision tree.
/// </summary>
public sealed class LoopScenarioTests : IClassFixture<LoopScenarioTests.Session>
{
    readonly Session session;

    public LoopScenarioTests(Session session) => this.session = session;

    public sealed class Session : IAsyncLifetime
    {
        public TempGitRepository Repo { get; } = new();

        public RecordingReporter Reporter { get; } = new();

        public SessionSummary Summary { get; private set; } = null!;

        public string InitialHead { get; private set; } = "";

        public IReadOnlyList<ResultRow> Rows => ResultsTable.Read(PerfloopPaths.Results(Repo.Root));

        public async Task InitializeAsync()
        {
            const string app = """
                #!/bin/sh
                # The "work" of this program is its sleep; candidates change it.
                if [ "$1" = "--edge" ]; then echo "edge ok"; exit 0; fi
                . ./lib/setup.sh
                sleep 0.10
                echo "result 42"

                """;
            Repo.Write("lib/setup.sh", "# setup work of the program\nsleep 0.20\n");
            Repo.Write("app.sh", app.Replace("#!/bin/sh\n", "#!/bin/sh\n" + SleepProgram.Prelude, StringComparison.Ordinal) + SleepProgram.Report);
            Repo.Write("check.sh", "#!/bin/sh\nout=$(sh app.sh --edge)\n[ \"$out\" = \"edge ok\" ] || { echo \"FAIL edge case: got '$out'\"; exit 1; }\necho pass\n");
            Repo.Write("README.txt", "demo\n");
            Repo.CommitAll("program");

            Repo.MakeCandidate("0001-faster.patch", "Sleep half as long", ["Target: app.sh main loop", "Category: algorithm", "Strategy: algorithm", "Impact: ~100% of runtime"],
                r => r.Write("lib/setup.sh", r.Read("lib/setup.sh").Replace("sleep 0.20", "sleep 0.05", StringComparison.Ordinal)));
            Repo.MakeCandidate("0002-wrong.patch", "Faster but wrong", ["Target: app.sh output", "Category: algorithm"],
                r => r.Write("app.sh", r.Read("app.sh").Replace("sleep 0.10", "sleep 0.02", StringComparison.Ordinal).Replace("result 42", "result 41", StringComparison.Ordinal)));
            Repo.MakeCandidate("0003-slower.patch", "Add a cache file that makes it slower", ["Target: app.sh", "Category: caching", "Strategy: caching"],
                r =>
                {
                    r.Write("app.sh", r.Read("app.sh").Replace("sleep 0.10", "sleep 0.40", StringComparison.Ordinal));
                    r.Write("cache/new-file.txt", "created by the candidate\n");
                });
            Repo.MakeCandidate("0004-breaks-guard.patch", "Drop the edge-case branch", ["Target: app.sh", "Category: algorithm"],
                r => r.Write("app.sh", r.Read("app.sh").Replace("sleep 0.10", "sleep 0.02", StringComparison.Ordinal).Replace("echo \"edge ok\"", "echo \"edge broken\"", StringComparison.Ordinal)));
            Repo.MakeCandidate("0005-syntax.patch", "Does not parse", ["Target: app.sh"],
                r => r.Write("app.sh", r.Read("app.sh").Replace("sleep 0.10", "if then fi (", StringComparison.Ordinal)));
            Repo.MakeCandidate("0006-tests.patch", "Weaken the check", ["Target: check.sh"],
                r => r.Write("check.sh", "#!/bin/sh\necho pass\n"));
            File.WriteAllText(Path.Combine(Repo.Candidates, "0007-does-not-apply.patch"),
                "From 0 Mon Sep 17 00:00:00 2001\nSubject: [PATCH] Stale patch\n\n---\ndiff --git a/missing.sh b/missing.sh\n--- a/missing.sh\n+++ b/missing.sh\n@@ -1 +1 @@\n-a\n+b\n");

            var runner = new ProcessRunner();
            await ProjectInitializer.InitAsync(runner, new InitOptions(Repo.Root, SleepProgram.Bench)
            {
                Build = "sh -n app.sh",
                Oracles = ["sh app.sh"],
                Guard = "sh check.sh",
            }, CancellationToken.None);
            SleepProgram.JudgeOnSleeps(Repo);
            Repo.CommitAll("perfloop config");
            InitialHead = Repo.Git("rev-parse", "HEAD").Trim();

            var loop = new ExperimentSession(new EngineServices(runner, Reporter, TimeProvider.System));
            Summary = await loop.RunAsync(new RunOptions(Repo.Root, await PatchSeries.LoadAsync(Repo.Candidates, new ProcessRunner())), CancellationToken.None);
        }

        public Task DisposeAsync()
        {
            Repo.Dispose();
            return Task.CompletedTask;
        }
    }

    ResultRow Row(string summary) => session.Rows.Single(r => r.Summary == summary);

    [Fact]
    public void Results_have_a_baseline_row_and_one_row_per_candidate_with_unique_numbers()
    {
        var rows = session.Rows;
        Assert.Equal(ExperimentStatus.Baseline, rows[0].Status);
        Assert.Equal(0, rows[0].Experiment);
        // Escalation and policy event rows carry the number of the experiment they follow; experiments are unique.
        var experiments = rows.Where(r => r.Status is not ExperimentStatus.Escalate and not ExperimentStatus.Event).ToList();
        Assert.Equal(8, experiments.Count);
        Assert.Equal(experiments.Count, experiments.Select(r => r.Experiment).Distinct().Count());
    }

    [Fact]
    public void A_real_speedup_is_kept_as_one_commit_with_trailers()
    {
        var row = Row("Sleep half as long");
        Assert.Equal("keep guard_pass", row.StatusText);
        // 200 + 100 ms of sleep → 50 + 100 ms: exactly −50%.
        Assert.Equal(-50, row.DeltaPct!.Value, 6);
        Assert.Equal((300, 150), (row.Baseline, row.Candidate));
        var log = session.Repo.Git("log", "--format=%H%n%B", $"{session.InitialHead}..HEAD");
        Assert.Contains(row.Commit, log);
        Assert.Contains("Sleep half as long", log);
        Assert.Contains("Perfloop-Experiment: 1", log);
        Assert.Contains("Perfloop-Metric: sleep_ms", log);
        Assert.Equal("1", session.Repo.Git("rev-list", "--count", $"{session.InitialHead}..HEAD").Trim());
        Assert.Contains("sleep 0.05", session.Repo.Read("lib/setup.sh"));
        Assert.Equal("faster", row.Extra["e2e_verdict"]);
        Assert.Equal(2, double.Parse(row.Extra["e2e_speedup"], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_wrong_output_candidate_is_discarded_and_never_benchmarked()
    {
        var row = Row("Faster but wrong");
        Assert.Equal(ExperimentStatus.Discard, row.Status);
        Assert.StartsWith("output mismatch", row.Reason);
        Assert.Contains("result 41", row.Reason);
        Assert.Null(row.Pairs);
        Assert.False(File.Exists(Path.Combine(PerfloopPaths.Experiment(session.Repo.Root, row.Experiment), "samples.tsv")));
        Assert.DoesNotContain(session.Reporter.Lines, l => l == $"[experiment {row.Experiment}] Benchmarking...");
    }

    [Fact]
    public void A_regression_is_discarded_and_the_tree_restored_byte_for_byte()
    {
        var row = Row("Add a cache file that makes it slower");
        Assert.Equal("discard", row.StatusText);
        Assert.StartsWith("regression", row.Reason);
        // After the keep: 50 + 100 ms → 50 + 400 ms.
        Assert.Equal(200, row.DeltaPct!.Value, 6);
        Assert.False(Directory.Exists(Path.Combine(session.Repo.Root, "cache")));
        Assert.Equal("", session.Repo.Git("status", "--porcelain"));
        var diff = File.ReadAllText(Path.Combine(PerfloopPaths.Experiment(session.Repo.Root, row.Experiment), "candidate.diff"));
        Assert.Contains("cache/new-file.txt", diff);
        Assert.Contains("sleep 0.40", diff);
    }

    [Fact]
    public void A_candidate_that_breaks_the_guard_is_discarded()
    {
        var row = Row("Drop the edge-case branch");
        Assert.Equal("discard guard_fail", row.StatusText);
        Assert.Contains("guard failure", row.Reason);
        Assert.Contains("FAIL edge case", row.Reason);
    }

    [Fact]
    public void A_build_failure_is_a_crash_row()
    {
        var row = Row("Does not parse");
        Assert.Equal(ExperimentStatus.Crash, row.Status);
        Assert.StartsWith("build failed", row.Reason);
    }

    [Fact]
    public void A_candidate_touching_the_guard_is_discarded_unmeasured()
    {
        var row = Row("Weaken the check");
        Assert.Equal(ExperimentStatus.Discard, row.Status);
        Assert.Contains("check.sh", row.Reason);
        Assert.Null(row.Pairs);
    }

    [Fact]
    public void A_patch_that_does_not_apply_is_discarded_with_git_s_reason()
    {
        var row = Row("Stale patch");
        Assert.Equal(ExperimentStatus.Discard, row.Status);
        Assert.StartsWith("patch does not apply", row.Reason);
    }

    [Fact]
    public void Status_lines_follow_the_spec_wording()
    {
        var lines = session.Reporter.Lines;
        Assert.Contains("[experiment 1] Target: app.sh main loop (algorithm, ~100% of runtime)", lines);
        Assert.Contains("[experiment 1] Implementing: Sleep half as long", lines);
        Assert.Contains("[experiment 1] Benchmarking...", lines);
        Assert.Contains(lines, l => l.StartsWith("[experiment 1] Result: ", StringComparison.Ordinal) && l.Contains("% CI ", StringComparison.Ordinal) && l.EndsWith(" improved", StringComparison.Ordinal));
        Assert.Contains("[experiment 1] KEEP", lines);
        Assert.Contains(lines, l => l.StartsWith("[experiment 1] E2E: ", StringComparison.Ordinal) && l.EndsWith("x)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("[experiment 2] DISCARD — output mismatch", StringComparison.Ordinal));
    }

    [Fact]
    public void No_worktree_is_left_behind()
    {
        var worktrees = session.Repo.Git("worktree", "list", "--porcelain");
        Assert.Single(worktrees.Split('\n'), l => l.StartsWith("worktree ", StringComparison.Ordinal));
    }
}
