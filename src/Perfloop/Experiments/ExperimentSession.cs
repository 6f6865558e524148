using Perfloop.Configuration;
using Perfloop.Implementers;
using Perfloop.Journal;
using Perfloop.Processes;
using Perfloop.Safety;

namespace Perfloop.Experiments;

public sealed record RunOptions(string Directory, IImplementer Implementer)
{
    public int? MaxExperiments { get; init; }
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

        await workspace.Repository.HeadAsync(cancellationToken);
        await workspace.EnsureCleanAsync(cancellationToken);
        await workspace.Repository.PruneWorktreesAsync(cancellationToken);
        rows.Add(await workspace.CalibrateAsync(cancellationToken));

        var started = 0;
        while (options.MaxExperiments is not { } max || started < max)
        {
            var candidate = options.Implementer.Peek();
            if (candidate is null)
            {
                break;
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

        return new SessionSummary(workspace.Root, PerfloopPaths.Results(workspace.Root), rows);
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
