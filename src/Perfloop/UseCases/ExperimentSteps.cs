using Perfloop.Errors;
using Perfloop.Experiments;
using Perfloop.Implementers;
using Perfloop.Journal;
using Perfloop.Safety;
using Perfloop.Sessions;

namespace Perfloop.UseCases;

/// <summary>Which repository a step or query works on.</summary>
public sealed record RepositoryOptions(string Directory);

/// <summary>Opens experiment N for <see cref="Candidate"/>; the first start of a session calibrates the baseline first.</summary>
public sealed record StartExperimentOptions(string Directory, CandidateInfo Candidate)
{
    /// <summary>Set the user's uncommitted changes aside until the experiment is decided or abandoned.</summary>
    public bool AllowDirty { get; init; }

    /// <summary>Run although perfloop.json has no guard (the rows say no_guard).</summary>
    public bool WithoutGuard { get; init; }
}

/// <summary>Checks the change in the work tree; a <see cref="Summary"/> replaces the one given at start.</summary>
public sealed record CheckExperimentOptions(string Directory, string? Summary);

/// <summary>Decides; <see cref="MaxReworks"/> is how many guard failures the agent may rework.</summary>
public sealed record DecideExperimentOptions(string Directory, int MaxReworks = 2);

/// <summary>
/// The loop's steps as separate use cases, for an outside agent that drives the spec's loop itself (the CLI's step
/// verbs and the MCP tools call exactly these). Each takes the repository lock for its duration and leaves the
/// experiment journaled; the reports say what to do next as a <see cref="NextStep"/> value.
/// </summary>
public static class ExperimentSteps
{
    public static Task<StepReport> StartAsync(EngineServices services, StartExperimentOptions options, CancellationToken cancellationToken) =>
        WithContextAsync(services, options.Directory, async context =>
        {
            var pipeline = new ExperimentPipeline(context);
            // A run that was killed leaves a journal its dead process cannot finish; an agent's own journal stays.
            if (ExperimentJournal.Load(context.Root) is { Driver: ExperimentDriver.Loop } stale && !RepositoryLock.IsAlive(stale.ProcessId))
            {
                await pipeline.RecoverAsync("the previous run was interrupted", cancellationToken);
            }

            if (ExperimentJournal.Load(context.Root) is null)
            {
                context.RequireGuardOrWaiver(options.WithoutGuard);
                await GiveBackAsync(context);
                if (options.AllowDirty && await SetAsideWork.SetAsideAsync(context.Repository, "perfloop experiment", services.Clock, cancellationToken) is { } setAside)
                {
                    services.Reporter.Status(setAside);
                }

                if (context.CalibratedThresholdPct() is null)
                {
                    var baseline = context.Ledger.Append(await Calibration.RunAsync(context, cancellationToken));
                    await EscalationStep.RunAsync(context, baseline, SessionFiles.LoadRanking(context.Root), cancellationToken);
                }
            }

            var state = await pipeline.StartAsync(options.Candidate, ExperimentDriver.Steps, options.WithoutGuard, cancellationToken);
            return StepReport.From("start", state, new NextStep(NextAction.MakeChange));
        }, cancellationToken);

    public static Task<StepReport> CheckAsync(EngineServices services, CheckExperimentOptions options, CancellationToken cancellationToken) =>
        WithActiveAsync(services, options.Directory, async (pipeline, state) =>
        {
            if (!string.IsNullOrWhiteSpace(options.Summary))
            {
                state = state with { Summary = options.Summary.Trim() };
            }

            services.Reporter.Status(StatusLines.Implementing(state.Experiment, new CandidateInfo(state.Summary, state.Target, state.Category, state.Strategy, state.Impact)));
            state = await pipeline.CheckAsync(state with { Phase = ExperimentPhase.Implemented, Early = null }, cancellationToken);
            return StepReport.From("check", state, new NextStep(state.Early is null ? NextAction.Bench : NextAction.DecideToDiscard));
        }, cancellationToken);

    public static Task<StepReport> BenchAsync(EngineServices services, RepositoryOptions options, CancellationToken cancellationToken) =>
        WithActiveAsync(services, options.Directory, async (pipeline, state) =>
        {
            state = await pipeline.BenchAsync(state, cancellationToken);
            return StepReport.From("bench", state, new NextStep(NextAction.GuardThenDecide));
        }, cancellationToken);

    public static Task<StepReport> GuardAsync(EngineServices services, RepositoryOptions options, CancellationToken cancellationToken) =>
        WithActiveAsync(services, options.Directory, async (pipeline, state) =>
        {
            if (state.Early is null && state.Phase < ExperimentPhase.Benchmarked)
            {
                throw new PerfloopException($"the guard runs after the benchmark (spec step 10); run {Mention.Command("experiment bench")} first");
            }

            state = await pipeline.GuardAsync(state, cancellationToken);
            return StepReport.From("guard", state, new NextStep(NextAction.Decide));
        }, cancellationToken);

    public static Task<StepReport> DecideAsync(EngineServices services, DecideExperimentOptions options, CancellationToken cancellationToken) =>
        WithActiveAsync(services, options.Directory, async (pipeline, state) =>
        {
            var outcome = await pipeline.DecideAsync(state, options.MaxReworks, cancellationToken);
            if (outcome.ContinueWith is null)
            {
                await GiveBackAsync(pipeline.Context);
            }

            var after = outcome.ContinueWith ?? state;
            var report = StepReport.From("decide", after, new NextStep(outcome.ContinueWith is not null ? NextAction.Rework : NextAction.StartNext));
            return report with
            {
                Decision = outcome.Decision.Action.ToString().ToLowerInvariant(),
                Reason = outcome.Decision.Reason,
                Commit = outcome.Row?.Status == ExperimentStatus.Keep ? outcome.Row.Commit : null,
                Phase = outcome.ContinueWith is null ? "decided" : report.Phase,
            };
        }, cancellationToken);

    public static Task<StepReport> AbandonAsync(EngineServices services, RepositoryOptions options, CancellationToken cancellationToken) =>
        WithContextAsync(services, options.Directory, async context =>
        {
            // A killed loop's baseline worktree goes too (no step keeps one between commands).
            await context.Repository.PruneWorktreesAsync(CancellationToken.None);
            if (await DamagedJournal.RecoverAsync(context, cancellationToken) is { } damaged)
            {
                await GiveBackAsync(context);
                context.Reporter.Status(damaged.Message);
                return new StepReport
                {
                    Step = "abandon",
                    Experiment = damaged.Experiment ?? -1,
                    Phase = "decided",
                    Decision = damaged.Row is null ? null : ResultRow.StatusWord(damaged.Row.Status),
                    Reason = damaged.Row?.Reason ?? damaged.Message,
                    NextStep = new NextStep(NextAction.StartNext),
                };
            }

            var state = ExperimentJournal.Load(context.Root) ?? throw new PerfloopException("no experiment is in progress; nothing to abandon");
            var row = await new ExperimentPipeline(context).RecoverAsync("abandoned", cancellationToken);
            await GiveBackAsync(context);
            return StepReport.From("abandon", state, new NextStep(NextAction.StartNext)) with
            {
                Decision = row is null ? null : ResultRow.StatusWord(row.Status),
                Reason = row?.Reason,
                Phase = "decided",
            };
        }, cancellationToken);

    /// <summary>Where the session stands and what to do next (reads only; takes no lock).</summary>
    public static async Task<StatusReport> StatusAsync(EngineServices services, RepositoryOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        await using var context = await ExperimentContext.OpenAsync(services, options.Directory, lockPurpose: null, cancellationToken);
        var setup = context.Setup;
        var executor = setup.Config.Executor ?? Configuration.ExecutorSettings.Default;
        var layout = new Cluster.ClusterLayout(context.Root, executor.SharedDirectory ?? Cluster.ClusterLayout.DefaultShared(context.Root));
        // The scheduler is asked about jobs in flight only when the repository runs on one.
        var cluster = await Cluster.ClusterRunStatus.LoadAsync(layout, executor.IsCluster ? new Cluster.SlurmExecutor(new Cluster.SlurmClient(services.Runner, context.Root), executor) : null, cancellationToken);
        return SessionStatus.Describe(setup.Domain, context.JudgingMetric().Name, context.Ledger.Rows, ExperimentJournal.Load(context.Root), context.CalibratedThresholdPct(),
            setup.Config.Policies, SessionFiles.LoadRanking(context.Root)) with
        {
            MethodologyChange = context.MethodologyChangeSinceBaseline(),
            Cluster = cluster,
        };
    }

    /// <summary>Changes set aside by a start with <see cref="StartExperimentOptions.AllowDirty"/> come back once no experiment holds the tree.</summary>
    static async Task GiveBackAsync(ExperimentContext context)
    {
        if (await SetAsideWork.RestoreAsync(context.Repository, CancellationToken.None) is { } back)
        {
            context.Reporter.Status(back.Message);
        }
    }

    static Task<StepReport> WithActiveAsync(EngineServices services, string directory, Func<ExperimentPipeline, ExperimentState, Task<StepReport>> action, CancellationToken cancellationToken) =>
        WithContextAsync(services, directory, async context =>
        {
            var state = ExperimentJournal.Load(context.Root)
                ?? throw new PerfloopException($"no experiment is in progress; start one with {Mention.Command("experiment start --target T --category C --impact I")}");
            return await action(new ExperimentPipeline(context), state);
        }, cancellationToken);

    static async Task<StepReport> WithContextAsync(EngineServices services, string directory, Func<ExperimentContext, Task<StepReport>> action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        await using var context = await ExperimentContext.OpenAsync(services, directory, "perfloop experiment", cancellationToken);
        return await action(context);
    }
}
