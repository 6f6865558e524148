using Perfloop.Configuration;
using Perfloop.Implementers;
using Perfloop.Journal;
using Perfloop.Processes;
using Perfloop.Safety;

namespace Perfloop.Experiments;

public sealed record RunOptions(string Directory, IImplementer Implementer)
{
    public int? MaxExperiments { get; init; }

    /// <summary>Set the user's uncommitted changes aside (git stash) for the run and give them back at its end.</summary>
    public bool AllowDirty { get; init; }

    /// <summary>Names the candidates (e.g. the patch folder); a run over the same source after an interruption resumes.</summary>
    public string? CandidateSource { get; init; }
}

public sealed record SessionSummary(string RepositoryRoot, string ResultsPath, IReadOnlyList<ResultRow> Rows)
{
    public int Kept => Rows.Count(r => r.Status == ExperimentStatus.Keep);

    public int Experiments => Rows.Count(r => r.Status != ExperimentStatus.Baseline);
}

/// <summary>
/// The autonomous loop: recover whatever a killed run left, calibrate the baseline, then one experiment per
/// candidate until the implementer has nothing left or a budget ends. Every experiment ends in exactly one
/// results row, and the work tree is back at a clean HEAD after each one — also when interrupted.
/// </summary>
public sealed class ExperimentSession(IProcessRunner runner, ILoopReporter reporter, TimeProvider clock)
{
    public async Task<SessionSummary> RunAsync(RunOptions options, CancellationToken cancellationToken)
    {
        await using var workspace = await Workspace.OpenAsync(runner, reporter, clock, options.Directory, cancellationToken);
        using var repositoryLock = RepositoryLock.Acquire(workspace.Root, "perfloop run");
        if (repositoryLock.TakeOverNotice is { } notice)
        {
            reporter.Status($"[session] {notice}");
        }

        var steps = new ExperimentSteps(workspace);
        var rows = new List<ResultRow>();
        if (await steps.RecoverAsync("the previous run was interrupted", cancellationToken) is { } recovered)
        {
            rows.Add(recovered);
        }

        // Changes a killed run set aside come back first, onto the restored tree.
        if (await SetAsideWork.RestoreAsync(workspace.Repository, cancellationToken) is { } givenBack)
        {
            reporter.Status($"[session] {givenBack.Message}");
        }

        await workspace.Repository.HeadAsync(cancellationToken);
        if (options.AllowDirty && await SetAsideWork.SetAsideAsync(workspace.Repository, "perfloop run", clock, cancellationToken) is { } setAside)
        {
            reporter.Status($"[session] {setAside}");
        }

        try
        {
            await RunCandidatesAsync(workspace, steps, options, rows, cancellationToken);
        }
        finally
        {
            // Also after Ctrl-C; after a failure mid-experiment the journal stays and the next command restores first.
            if (ExperimentJournal.Load(workspace.Root) is null && await SetAsideWork.RestoreAsync(workspace.Repository, CancellationToken.None) is { } back)
            {
                reporter.Status($"[session] {back.Message}");
            }
        }

        return new SessionSummary(workspace.Root, PerfloopPaths.Results(workspace.Root), rows);
    }

    async Task RunCandidatesAsync(Workspace workspace, ExperimentSteps steps, RunOptions options, List<ResultRow> rows, CancellationToken cancellationToken)
    {
        await workspace.EnsureCleanAsync(cancellationToken);
        await workspace.Repository.PruneWorktreesAsync(cancellationToken);

        var previous = RunMarker.Load(workspace.Root);
        var resuming = options.CandidateSource is { } source && previous?.CandidateSource == source;
        var skip = resuming ? previous!.Recorded(workspace.Rows()) : new CandidateTally([]);
        if (options.CandidateSource is { } candidateSource && !resuming)
        {
            new RunMarker(candidateSource, workspace.NextExperimentNumber(), clock.GetUtcNow()).Save(workspace.Root);
        }

        if (resuming)
        {
            reporter.Status($"[session] resuming the interrupted run over {options.CandidateSource}: candidates it already recorded are skipped");
        }

        rows.Add(await workspace.CalibrateAsync(cancellationToken));

        var started = 0;
        while (options.MaxExperiments is not { } max || started < max)
        {
            var candidate = options.Implementer.Peek();
            if (candidate is null)
            {
                break;
            }

            if (skip.TryConsume(candidate))
            {
                reporter.Detail($"[session] skipping '{candidate.Summary}': already recorded by the interrupted run");
                options.Implementer.Advance();
                continue;
            }

            started++;
            try
            {
                rows.Add(await RunExperimentAsync(steps, options.Implementer, candidate, cancellationToken));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl-C: end the current experiment cleanly (tree restored, row recorded) before stopping.
                await steps.RecoverAsync("interrupted by the user", CancellationToken.None);
                throw;
            }

            options.Implementer.Advance();
        }

        // A normal end: the next run over these candidates starts over instead of resuming.
        RunMarker.Delete(workspace.Root);
    }

    static async Task<ResultRow> RunExperimentAsync(ExperimentSteps steps, IImplementer implementer, CandidateInfo candidate, CancellationToken cancellationToken)
    {
        var state = await steps.StartAsync(candidate, ExperimentDriver.Loop, cancellationToken);
        string? feedback = null;
        while (true)
        {
            state = await steps.ImplementAsync(state, implementer, feedback, cancellationToken);
            state = await steps.CheckAsync(state, cancellationToken);
            state = await steps.BenchAsync(state, cancellationToken);
            state = await steps.GuardAsync(state, cancellationToken);
            var outcome = await steps.DecideAsync(state, implementer.MaxReworks, cancellationToken);
            if (outcome.ContinueWith is { } next)
            {
                feedback = outcome.Decision.Reason;
                state = next;
                continue;
            }

            return outcome.Row!;
        }
    }
}
