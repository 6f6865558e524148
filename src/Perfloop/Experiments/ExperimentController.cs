using Perfloop.Errors;
using Perfloop.Implementers;
using Perfloop.Journal;
using Perfloop.Processes;
using Perfloop.Safety;

namespace Perfloop.Experiments;

/// <summary>
/// The loop's steps as separate calls, for an outside agent that drives the spec's loop itself (CLI step verbs,
/// MCP tools). Each call takes the repository lock for its duration and leaves the experiment journaled.
/// </summary>
public sealed class ExperimentController(IProcessRunner runner, ILoopReporter reporter, TimeProvider clock, string directory)
{
    public Task<StepReport> StartAsync(CandidateInfo candidate, CancellationToken cancellationToken, bool allowDirty = false) =>
        WithStepsAsync(async (workspace, steps) =>
        {
            // A run that was killed leaves a journal its dead process cannot finish; an agent's own journal stays.
            if (ExperimentJournal.Load(workspace.Root) is { Driver: ExperimentDriver.Loop } stale && !RepositoryLock.IsAlive(stale.ProcessId))
            {
                await steps.RecoverAsync("the previous run was interrupted", cancellationToken);
            }

            if (ExperimentJournal.Load(workspace.Root) is null)
            {
                await GiveBackAsync(workspace);
                if (allowDirty && await SetAsideWork.SetAsideAsync(workspace.Repository, "perfloop experiment", clock, cancellationToken) is { } setAside)
                {
                    reporter.Status(setAside);
                }
            }

            if (workspace.CalibratedThresholdPct() is null && ExperimentJournal.Load(workspace.Root) is null)
            {
                var baseline = await workspace.CalibrateAsync(cancellationToken);
                await Policies.EscalationCheck.RunAsync(workspace, baseline, Policies.RankingSnapshot.Load(workspace.Root), cancellationToken);
            }

            var state = await steps.StartAsync(candidate, ExperimentDriver.Steps, cancellationToken);
            return StepReport.From("start", state, "make the change in the work tree, then run 'perfloop experiment check --summary \"<one line>\"'");
        }, cancellationToken);

    public Task<StepReport> CheckAsync(string? summary, CancellationToken cancellationToken) =>
        WithActiveAsync(async (steps, state) =>
        {
            if (!string.IsNullOrWhiteSpace(summary))
            {
                state = state with { Summary = summary.Trim() };
            }

            reporter.Status(StatusLines.Implementing(state.Experiment, new CandidateInfo(state.Summary, state.Target, state.Category, state.Strategy, state.Impact)));
            state = await steps.CheckAsync(state with { Phase = ExperimentPhase.Implemented, Early = null }, cancellationToken);
            return StepReport.From("check", state, state.Early is null
                ? "run 'perfloop experiment bench'"
                : "run 'perfloop experiment decide' (it will discard this candidate)");
        }, cancellationToken);

    public Task<StepReport> BenchAsync(CancellationToken cancellationToken) =>
        WithActiveAsync(async (steps, state) =>
        {
            state = await steps.BenchAsync(state, cancellationToken);
            return StepReport.From("bench", state, "run 'perfloop experiment guard', then 'perfloop experiment decide'");
        }, cancellationToken);

    public Task<StepReport> GuardAsync(CancellationToken cancellationToken) =>
        WithActiveAsync(async (steps, state) =>
        {
            if (state.Early is null && state.Phase < ExperimentPhase.Benchmarked)
            {
                throw new PerfloopException("the guard runs after the benchmark (spec step 10); run 'perfloop experiment bench' first");
            }

            state = await steps.GuardAsync(state, cancellationToken);
            return StepReport.From("guard", state, "run 'perfloop experiment decide'");
        }, cancellationToken);

    /// <summary>Commits or restores and records the row; <paramref name="maxReworks"/> is how many guard failures the agent may rework.</summary>
    public Task<StepReport> DecideAsync(int maxReworks, CancellationToken cancellationToken) =>
        WithActiveAsync(async (steps, state) =>
        {
            var outcome = await steps.DecideAsync(state, maxReworks, cancellationToken);
            if (outcome.ContinueWith is null)
            {
                await GiveBackAsync(steps.Workspace);
            }

            var after = outcome.ContinueWith ?? state;
            var report = StepReport.From("decide", after, outcome.ContinueWith is not null
                ? "rework the change so the guard passes (tests and guard files must not change), then 'perfloop experiment check' again"
                : "review the history ('perfloop status'), then choose the next target and run 'perfloop experiment start'");
            return report with
            {
                Decision = outcome.Decision.Action.ToString().ToLowerInvariant(),
                Reason = outcome.Decision.Reason,
                Commit = outcome.Row?.Status == ExperimentStatus.Keep ? outcome.Row.Commit : null,
                Phase = outcome.ContinueWith is null ? "decided" : report.Phase,
            };
        }, cancellationToken);

    public Task<StepReport> AbandonAsync(CancellationToken cancellationToken) =>
        WithStepsAsync(async (workspace, steps) =>
        {
            // A killed loop's baseline worktree goes too (no step keeps one between commands).
            await workspace.Repository.PruneWorktreesAsync(CancellationToken.None);
            if (await DamagedJournal.RecoverAsync(workspace, cancellationToken) is { } damaged)
            {
                await GiveBackAsync(workspace);
                reporter.Status(damaged.Message);
                return new StepReport
                {
                    Step = "abandon",
                    Experiment = damaged.Experiment ?? -1,
                    Phase = "decided",
                    Decision = damaged.Row is null ? null : ResultRow.StatusWord(damaged.Row.Status),
                    Reason = damaged.Row?.Reason ?? damaged.Message,
                    Next = "run 'perfloop experiment start' for the next target",
                };
            }

            var state = ExperimentJournal.Load(workspace.Root) ?? throw new PerfloopException("no experiment is in progress; nothing to abandon");
            var row = await steps.RecoverAsync("abandoned", cancellationToken);
            await GiveBackAsync(workspace);
            return StepReport.From("abandon", state, "run 'perfloop experiment start' for the next target") with
            {
                Decision = row is null ? null : ResultRow.StatusWord(row.Status),
                Reason = row?.Reason,
                Phase = "decided",
            };
        }, cancellationToken);

    public async Task<StatusReport> StatusAsync(CancellationToken cancellationToken)
    {
        await using var workspace = await Workspace.OpenAsync(runner, reporter, clock, directory, cancellationToken);
        return SessionStatus.Describe(workspace.Domain, workspace.Metric, workspace.Rows(), ExperimentJournal.Load(workspace.Root), workspace.CalibratedThresholdPct(),
            workspace.Config.Policies, Policies.RankingSnapshot.Load(workspace.Root)) with
        {
            MethodologyChange = workspace.MethodologyChangeSinceBaseline(),
        };
    }

    /// <summary>Changes set aside by <c>start --allow-dirty</c> come back once no experiment holds the tree.</summary>
    async Task GiveBackAsync(Workspace workspace)
    {
        if (await SetAsideWork.RestoreAsync(workspace.Repository, CancellationToken.None) is { } back)
        {
            reporter.Status(back.Message);
        }
    }

    async Task<StepReport> WithActiveAsync(Func<ExperimentSteps, ExperimentState, Task<StepReport>> action, CancellationToken cancellationToken) =>
        await WithStepsAsync(async (workspace, steps) =>
        {
            var state = ExperimentJournal.Load(workspace.Root)
                ?? throw new PerfloopException("no experiment is in progress; start one with 'perfloop experiment start --target T --category C --impact I'");
            return await action(steps, state);
        }, cancellationToken);

    async Task<StepReport> WithStepsAsync(Func<Workspace, ExperimentSteps, Task<StepReport>> action, CancellationToken cancellationToken)
    {
        await using var workspace = await Workspace.OpenAsync(runner, reporter, clock, directory, cancellationToken);
        using var repositoryLock = RepositoryLock.Acquire(workspace.Root, "perfloop experiment");
        if (repositoryLock.TakeOverNotice is { } notice)
        {
            reporter.Detail(notice);
        }

        return await action(workspace, new ExperimentSteps(workspace));
    }
}
