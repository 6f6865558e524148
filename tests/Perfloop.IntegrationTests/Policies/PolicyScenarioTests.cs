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
/// One real session over a shell program whose cost is three sleeps: three keeps cut a milestone, three discards of
/// one strategy rotate it out (a later candidate of that strategy is skipped, as asked with --skip-rotated), five discards in a row trigger stuck
/// recovery, three more stop the session before the last candidate. Discards are wrong-output candidates, which
/// never reach the benchmark, so the whole session takes seconds. Verdicts are judged on the sleeps' total
/// (<see cref="SleepProgram"/>), so a busy machine cannot change them.
/// </summary>
public sealed class PolicyScenarioTests : IClassFixture<PolicyScenarioTests.Session>
{
    readonly Session session;

    public PolicyScenarioTests(Session session) => this.session = session;

    public sealed class Session : IAsyncLifetime
    {
        public TempGitRepository Repo { get; } = new();

        public RecordingReporter Reporter { get; } = new();

        public SessionSummary Summary { get; private set; } = null!;

        public IReadOnlyList<ResultRow> Rows => ResultsTable.Read(PerfloopPaths.Results(Repo.Root));

        public string Handoff => File.ReadAllText(SessionEnd.HandoffPath(Repo.Root));

        public string Learnings => File.ReadAllText(SessionEnd.LearningsPath(Repo.Root));

        public async Task InitializeAsync()
        {
            foreach (var part in new[] { "a", "b", "c" })
            {
                Repo.Write($"lib/{part}.sh", "sleep 0.06\n");
            }

            Repo.Write("app.sh", "#!/bin/sh\n" + SleepProgram.Prelude + ". ./lib/a.sh\n. ./lib/b.sh\n. ./lib/c.sh\necho \"result 42\"\n" + SleepProgram.Report);
            Repo.CommitAll("program");

            var n = 0;
            string Name(string slug) => $"{++n:D2}-{slug}.patch";
            foreach (var part in new[] { "a", "b", "c" })
            {
                Repo.MakeCandidate(Name("keep-" + part), $"Shorten {part}", [$"Target: lib/{part}.sh", "Category: algorithm", "Strategy: algorithm"],
                    r => r.Write($"lib/{part}.sh", "sleep 0.005\n"));
            }

            void Wrong(string slug, string strategy, int value) =>
                Repo.MakeCandidate(Name(slug), $"Wrong {slug}", ["Target: app.sh", $"Category: {strategy}", $"Strategy: {strategy}"],
                    r => r.Write("app.sh", r.Read("app.sh").Replace("result 42", $"result {value}", StringComparison.Ordinal)));

            Wrong("cache-1", "caching", 1);
            Wrong("cache-2", "caching", 2);
            Wrong("cache-3", "caching", 3);
            Wrong("cache-4", "caching", 4);
            Wrong("alloc", "allocation", 5);
            Wrong("loops", "loops", 6);
            Wrong("parallel", "parallelism", 7);
            Wrong("knobs", "runtime-knobs", 8);
            Wrong("structure", "data-structure", 9);
            Repo.MakeCandidate(Name("never"), "Never tried", ["Target: lib/a.sh", "Strategy: algorithm"], r => r.Write("lib/a.sh", "sleep 0.001\n"));

            var runner = new ProcessRunner();
            await ProjectInitializer.InitAsync(runner, new InitOptions(Repo.Root, SleepProgram.Bench) { Build = "sh -n app.sh", Oracles = ["sh app.sh"] }, CancellationToken.None);
            var config = ConfigStore.Load(Repo.Root);
            ConfigStore.Save(Repo.Root, config with
            {
                Oracles = [new OracleSpec { Command = "sh app.sh", Files = ["report.txt"] }],
                ProtectedPaths = ["generated/"],
                Measurement = config.Measurement with { CalibrationRuns = 6, MinRuns = 6 },
                Metric = SleepProgram.Setting,
            });
            Repo.CommitAll("perfloop config");

            var loop = new ExperimentSession(new EngineServices(runner, Reporter, TimeProvider.System));
            Summary = await loop.RunAsync(new RunOptions(Repo.Root, await PatchSeries.LoadAsync(Repo.Candidates, new ProcessRunner())) { WithoutGuard = true, SkipRotated = true }, CancellationToken.None);
        }

        public Task DisposeAsync()
        {
            Repo.Dispose();
            return Task.CompletedTask;
        }
    }

    List<ResultRow> Events(string kind) => session.Rows.Where(r => r.Status == ExperimentStatus.Event && r.Target == kind).ToList();

    string Line(string start) => session.Reporter.Lines.FirstOrDefault(l => l.StartsWith(start, StringComparison.Ordinal))
        ?? throw new InvalidOperationException($"no line starts with '{start}':\n{string.Join("\n", session.Reporter.Lines)}");

    [Fact]
    public void Three_keeps_cut_a_milestone_branch_without_checking_it_out()
    {
        var keeps = session.Rows.Where(r => r.Status == ExperimentStatus.Keep).ToList();
        Assert.Equal(["Shorten a", "Shorten b", "Shorten c"], keeps.Select(k => k.Summary));
        // The sleeps' total is exact: 3 × 60 ms before, 3 × 5 ms after.
        Assert.Matches(@"^\[milestone\] v1 — 3/3 experiments, cumulative sleep_ms 180(\.0)?ms → 15(\.0)?ms \(−91\.7%", Line("[milestone] v1 — "));
        Assert.Equal(keeps[2].Commit, session.Repo.Git("rev-parse", "perfloop/milestone-v1").Trim());
        Assert.Equal("main", session.Repo.Git("symbolic-ref", "--short", "HEAD").Trim());
        var milestone = Assert.Single(Events(PolicyEvents.Milestone));
        Assert.Equal(3, milestone.Experiment);
        Assert.Contains("milestone perfloop/milestone-v1 — v1 — 3/3 experiments, cumulative sleep_ms 180", session.Handoff);
        Assert.Contains("- Measured end to end at the last milestone: sleep_ms 180", session.Handoff);
        Assert.All(keeps, k => Assert.Equal(-100.0 * 55 / (k.Baseline ?? double.NaN), k.DeltaPct!.Value, 3));
        Assert.True(File.Exists(Path.Combine(PerfloopPaths.StateDirectory(session.Repo.Root), "milestones", "v1", "compare.md")));
    }

    [Fact]
    public void Three_discards_of_one_strategy_rotate_it_out_and_skip_its_next_candidate()
    {
        var rotate = Assert.Single(Events(PolicyEvents.Rotate));
        Assert.Equal(("caching", 6), (rotate.Strategy, rotate.Experiment));
        Assert.Contains("switching to the domain's next strategy 'allocation'", rotate.Reason);
        Assert.StartsWith("[policy] rotate: 3 consecutive discards with strategy 'caching'", Line("[policy] rotate:"));
        var skip = Assert.Single(Events(PolicyEvents.Skip));
        Assert.Equal("Wrong cache-4", skip.Summary);
        Assert.DoesNotContain(session.Rows, r => r.IsExperiment && r.Summary == "Wrong cache-4");
        Assert.Contains("rotate — 3 consecutive discards with strategy 'caching'", session.Handoff);
    }

    [Fact]
    public void Five_discards_trigger_stuck_recovery_and_three_more_stop_the_session()
    {
        var stuck = Assert.Single(Events(PolicyEvents.Stuck));
        Assert.Equal(8, stuck.Experiment);
        Assert.Contains("re-read results.tsv", stuck.Reason);
        Assert.Contains("try the opposite of what failed", stuck.Reason);
        Assert.StartsWith("[policy] stuck: 5 consecutive discards", Line("[policy] stuck:"));
        Assert.Equal(PolicyEvents.Stuck, session.Summary.Stop?.Rule);
        var stop = Assert.Single(Events(PolicyEvents.Stop));
        Assert.Equal(11, stop.Experiment);
        Assert.Contains("Tried: algorithm 3 kept/3, caching 0 kept/3", stop.Reason);
        Assert.DoesNotContain(session.Rows, r => r.Summary == "Never tried");
        Assert.StartsWith("[session] Stopped: stuck — 3 experiments after stuck recovery", Line("[session] Stopped:"));
        Assert.Contains("stuck — 5 consecutive discards", session.Handoff);
        Assert.Contains("- Stopped: stuck — 3 experiments after stuck recovery without improvement", session.Handoff);
    }

    [Fact]
    public void The_history_line_comes_before_each_target_and_learns_focus_and_avoid()
    {
        var lines = session.Reporter.Lines.ToList();
        var history = lines.FindIndex(l => l.StartsWith("[experiment 1] History: ", StringComparison.Ordinal));
        Assert.Equal("[experiment 1] History: no experiments yet", lines[history]);
        Assert.StartsWith("[experiment 1] Target: lib/a.sh (algorithm", lines[history + 1]);
        Assert.Contains("focus lib/ (3 improving commits)", Line("[experiment 4] History: "));
        Assert.Contains("avoid strategy caching (3 discards)", Line("[experiment 7] History: "));
        Assert.Contains("worked: Shorten c (algorithm, −", Line("[experiment 7] History: "));
    }

    [Fact]
    public void The_history_verb_prints_the_same_review_as_json()
    {
        var result = PerfloopProcess.Run(session.Repo.Root, "history", "--json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = System.Text.Json.JsonDocument.Parse(result.Stdout);
        Assert.Equal("perfloop.history/v1", json.RootElement.GetProperty("schema").GetString());
        Assert.Equal(3, json.RootElement.GetProperty("experimentCommits").GetInt32());
        Assert.Contains(json.RootElement.GetProperty("focus").EnumerateArray(), f => f.GetProperty("path").GetString() == "lib/");
        Assert.Contains(json.RootElement.GetProperty("avoid").EnumerateArray(), a => a.GetProperty("name").GetString() == "caching");
        var text = PerfloopProcess.Run(session.Repo.Root, "history");
        Assert.Contains("### Focus (3+ improving commits)\n\n- `lib/` — 3 improving commits", text.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void The_sleeping_program_escalates_to_async_on_its_wall_to_cpu_ratio()
    {
        var escalate = Assert.Single(session.Rows, r => r.Status == ExperimentStatus.Escalate);
        // Wall time less the wait for a CPU where the run queue is measured, so a busy machine cannot make a CPU-bound program look like this.
        Assert.Matches(@"^wall time (less its wait for a CPU )?[\d.]+ ms is [\d.∞]+x the CPU time .* \| suggests async$", escalate.Reason);
        Assert.StartsWith("[experiment 0] ESCALATE — wall time", Line("[experiment 0] ESCALATE"));
        Assert.Contains("this is a async issue, not cpu", Line("[session] the real bottleneck"));
        Assert.Contains("| ESCALATE | wall time", session.Handoff);
    }

    [Fact]
    public void A_keep_is_followed_by_a_config_audit_naming_dead_settings()
    {
        Assert.Contains("'report.txt' is never written", Line("[experiment 1]   loop config: $.oracles[0].files"));
        Assert.Contains("'generated/' matches no tracked file", Line("[experiment 1]   loop config: $.protectedPaths"));
        var audit = File.ReadAllText(Path.Combine(PerfloopPaths.Experiment(session.Repo.Root, 1), "config-audit.md"));
        Assert.Contains("$.protectedPaths", audit);
        Assert.Equal(3, Events(PolicyEvents.ConfigAudit).Count);
    }

    [Fact]
    public void Learnings_name_the_kept_technique_with_its_measured_figure()
    {
        var keep = session.Rows.First(r => r.Status == ExperimentStatus.Keep);
        Assert.Matches(@"## \d{4}-\d\d-\d\d — cpu session on main", session.Learnings);
        Assert.Contains($"- Shorten a (algorithm) on lib/a.sh gave {SessionEnd.Figure(keep, "ms")}", session.Learnings);
        Assert.Contains("- Wrong cache-1 (caching) on app.sh — output mismatch", session.Learnings);
        Assert.Contains("### Codebase insights", session.Learnings);
        Assert.Equal("", session.Repo.Git("status", "--porcelain"));
    }
}
