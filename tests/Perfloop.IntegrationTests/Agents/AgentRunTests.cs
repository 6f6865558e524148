using Perfloop.Configuration;
using Perfloop.Init;
using Perfloop.IntegrationTests.Fixtures;
using Perfloop.Journal;
using Perfloop.Processes;

namespace Perfloop.IntegrationTests.Agents;

/// <summary>
/// One real <c>perfloop run --agent</c> over a shell "program" whose cost is its sleeps (judged on their total, see
/// <see cref="SleepProgram"/>, so the keeps hold on a busy machine), driven by a fake agent
/// (Agents/fake-agent.sh) that reads each prompt and edits the code its target names. The four targets cover: an
/// agent that commits, a guard failure fixed on rework, a guard failure never fixed, and an agent that hangs.
/// </summary>
public sealed class AgentRunTests : IClassFixture<AgentRunTests.Session>
{
    readonly Session session;

    public AgentRunTests(Session session) => this.session = session;

    public sealed class Session : IAsyncLifetime
    {
        public TempGitRepository Repo { get; } = new();

        public PerfloopProcess.Result Run { get; private set; } = null!;

        public string InitialHead { get; private set; } = "";

        public IReadOnlyList<ResultRow> Rows => ResultsTable.Read(PerfloopPaths.Results(Repo.Root));

        public string ExperimentFile(int experiment, string name) => Path.Combine(PerfloopPaths.Experiment(Repo.Root, experiment), name);

        public async Task InitializeAsync()
        {
            Repo.Write("app.sh", "#!/bin/sh\n" + SleepProgram.Prelude + "if [ \"$1\" = \"--edge\" ]; then echo \"edge ok\"; exit 0; fi\n. ./lib/setup.sh\nsleep 0.10\necho \"result 42\"\n" + SleepProgram.Report);
            Repo.Write("lib/setup.sh", "# setup work of the program\nsleep 0.20\n");
            Repo.Write("check.sh", "#!/bin/sh\nout=$(sh app.sh --edge)\n[ \"$out\" = \"edge ok\" ] || { echo \"FAIL edge case: got '$out'\"; exit 1; }\necho pass\n");
            Repo.CommitAll("program");
            await ProjectInitializer.InitAsync(new ProcessRunner(), new InitOptions(Repo.Root, SleepProgram.Bench)
            {
                Build = "sh -n app.sh",
                Oracles = ["sh app.sh"],
                Guard = "sh check.sh",
            }, CancellationToken.None);
            SleepProgram.JudgeOnSleeps(Repo);
            Repo.CommitAll("perfloop config");
            InitialHead = Repo.Git("rev-parse", "HEAD").Trim();

            var targets = Path.Combine(Repo.Candidates, "targets.txt");
            File.WriteAllText(targets, """
                # target | category | impact | strategy
                setup | algorithm | ~65% of runtime | algorithm
                main loop | loops | ~30% of runtime | loops
                edge cases | algorithm | ~20% of runtime
                stuck | caching | unknown | caching
                """);
            var agent = Path.Combine(AppContext.BaseDirectory, "Agents", "fake-agent.sh");
            Run = await Task.Run(() => PerfloopProcess.Run(Repo.Root, "run", "--agent", $"sh '{agent}'", "--targets", targets, "--agent-timeout", "3"));
        }

        public Task DisposeAsync()
        {
            Repo.Dispose();
            return Task.CompletedTask;
        }
    }

    ResultRow Row(string target) => session.Rows.Single(r => r.Target == target);

    [Fact]
    public void The_run_succeeds_with_a_row_per_target_and_a_clean_tree()
    {
        Assert.True(session.Run.ExitCode == 0, $"exit {session.Run.ExitCode}: {session.Run.Stderr}\n{session.Run.Stdout}");
        // Baseline and one row per target; escalation/event rows (the sleeping program escalates to async) aside.
        Assert.Equal(5, session.Rows.Count(r => r.Status is not ExperimentStatus.Escalate and not ExperimentStatus.Event));
        Assert.Equal("", session.Repo.Git("status", "--porcelain"));
        Assert.Contains("[experiment 1] Target: setup (algorithm, ~65% of runtime)", session.Run.Stdout);
    }

    [Fact]
    public void The_prompt_holds_the_target_checklist_protected_paths_and_result_contract()
    {
        var prompt = File.ReadAllText(session.ExperimentFile(1, "prompt.md"));
        // The loop's history review reaches the agent through IGuidedImplementer.
        Assert.Contains("### History review", prompt);
        Assert.Contains("#### Avoid (failed 3+ times)", prompt);
        Assert.Contains("- Target: setup", prompt);
        Assert.Contains("- Estimated impact: ~65% of runtime", prompt);
        Assert.Contains("- Strategy: algorithm", prompt);
        Assert.Contains(Domains.Domains.Cpu.Checklist[0], prompt);
        Assert.Contains(Safety.ProtectedPaths.DefaultsDescription, prompt);
        Assert.Contains("the guard's files: check.sh", prompt);
        Assert.Contains("Tests and guard files must not change", prompt);
        Assert.Contains("SUMMARY: ", prompt);
        Assert.Contains("No experiments yet", prompt);

        // Later prompts review what came before.
        var third = File.ReadAllText(session.ExperimentFile(3, "prompt.md"));
        // 200 + 100 ms of sleep → 80 + 100 ms.
        Assert.Contains("experiment 1: Shorten the setup sleep [algorithm] on setup — sleep_ms −40", third);
    }

    [Fact]
    public void An_agent_that_commits_is_folded_back_so_the_loop_commit_is_the_only_one()
    {
        var row = Row("setup");
        Assert.Equal("keep guard_pass", row.StatusText);
        Assert.Equal("Shorten the setup sleep", row.Summary);
        Assert.Equal(-40, row.DeltaPct!.Value, 6);
        var subjects = session.Repo.Git("log", "--format=%s", $"{session.InitialHead}..HEAD").Trim().Split('\n');
        // One commit per KEEP (setup, main loop), none of the agent's own.
        Assert.Equal(["Shorter main sleep", "Shorten the setup sleep"], subjects);
        Assert.Contains("Perfloop-Experiment: 1", session.Repo.Git("log", "-1", "--format=%B", row.Commit));
        Assert.Contains("moved back into the work tree", File.ReadAllText(session.ExperimentFile(1, "agent.log")));
    }

    [Fact]
    public void A_guard_failure_is_reworked_with_the_failure_in_the_prompt_and_then_kept()
    {
        var row = Row("main loop");
        Assert.Equal("keep guard_pass", row.StatusText);
        Assert.Equal("Shorter main sleep", row.Summary);
        Assert.Equal((180, 100), (row.Baseline, row.Candidate));
        Assert.Contains("[experiment 2] Guard failed; reworking (1 of 2)", session.Run.Stdout);
        var rework = File.ReadAllText(session.ExperimentFile(2, "prompt.rework-1.md"));
        Assert.Contains("## Rework 1 of 2: the guard failed", rework);
        Assert.Contains("FAIL edge case: got 'edge broken'", rework);
        Assert.Contains("-sleep 0.10", rework);
        Assert.Contains("Do not touch the tests", rework);
        Assert.False(File.Exists(session.ExperimentFile(2, "prompt.rework-2.md")));
        Assert.Contains("echo \"edge ok\"", session.Repo.Read("app.sh"));
        Assert.Contains("sleep 0.02", session.Repo.Read("app.sh"));
    }

    [Fact]
    public void A_guard_failure_never_fixed_is_discarded_after_two_reworks()
    {
        var row = Row("edge cases");
        Assert.Equal("discard guard_fail", row.StatusText);
        Assert.Contains("FAIL edge case", row.Reason);
        Assert.Contains("[experiment 3] Guard failed; reworking (2 of 2)", session.Run.Stdout);
        Assert.True(File.Exists(session.ExperimentFile(3, "prompt.rework-2.md")));
        Assert.False(File.Exists(session.ExperimentFile(3, "prompt.rework-3.md")));
        Assert.Contains("sleep 0.08", session.Repo.Read("lib/setup.sh"));
    }

    [Fact]
    public void An_agent_that_times_out_is_discarded_and_the_tree_restored()
    {
        var row = Row("stuck");
        Assert.Equal(ExperimentStatus.Discard, row.Status);
        Assert.StartsWith("the agent timed out after 3s", row.Reason);
        Assert.Null(row.Pairs);
        Assert.DoesNotContain("half-done", session.Repo.Read("lib/setup.sh"));
        Assert.Contains("thinking...", File.ReadAllText(session.ExperimentFile(4, "agent.log")));
        Assert.Contains("half-done", File.ReadAllText(session.ExperimentFile(4, "candidate.diff")));
    }
}
