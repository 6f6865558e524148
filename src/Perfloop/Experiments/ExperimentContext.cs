using System.Globalization;
using Perfloop.Configuration;
using Perfloop.Errors;
using Perfloop.Git;
using Perfloop.Journal;
using Perfloop.Measurement;
using Perfloop.Oracle;
using Perfloop.Processes;
using Perfloop.Reporting;

namespace Perfloop.Experiments;

/// <summary>What a front end hands the engine: how to run processes, where status lines go, and the clock.</summary>
public sealed record EngineServices(IProcessRunner Runner, ILoopReporter Reporter, TimeProvider Clock);

/// <summary>
/// One command's work on a repository, opened once: the immutable <see cref="SessionSetup"/>, the results ledger, the
/// baseline builds and the user's commands. A parameter object only — each part does its own job.
/// </summary>
public sealed class ExperimentContext : IAsyncDisposable
{
    readonly Safety.RepositoryLock? repositoryLock;
    Resolved<InstructionCounter>? counter;

    ExperimentContext(SessionSetup setup, SessionLedger ledger, EngineServices services, Safety.RepositoryLock? repositoryLock)
    {
        this.repositoryLock = repositoryLock;
        Setup = setup;
        Ledger = ledger;
        Services = services;
        Commands = new UserCommands(setup, services.Runner);
        Oracles = new OracleRunner(services.Runner, TimeSpan.FromSeconds(setup.Config.Timeouts.OracleSeconds));
        Baselines = new BaselineBuilds(setup, Commands, Oracles, services.Reporter);
    }

    public SessionSetup Setup { get; }

    public SessionLedger Ledger { get; }

    public EngineServices Services { get; }

    public UserCommands Commands { get; }

    public OracleRunner Oracles { get; }

    public BaselineBuilds Baselines { get; }

    public GitRepository Repository => Setup.Repository;

    public string Root => Setup.Root;

    public ILoopReporter Reporter => Services.Reporter;

    /// <summary>
    /// Opens the repository holding <paramref name="directory"/>. With a <paramref name="lockPurpose"/> the repository lock
    /// is taken (one loop per repository) before the results are read, and held until the context is disposed; without
    /// one the context only reads.
    /// </summary>
    public static async Task<ExperimentContext> OpenAsync(EngineServices services, string directory, string? lockPurpose, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        var setup = await SessionSetup.OpenAsync(services.Runner, directory, cancellationToken);
        var held = lockPurpose is null ? null : Safety.RepositoryLock.Acquire(setup.Root, lockPurpose);
        try
        {
            if (held?.TakeOverNotice is { } notice)
            {
                services.Reporter.Status($"[session] {notice}");
            }

            return new ExperimentContext(setup, SessionLedger.Open(setup.Root), services, held);
        }
        catch
        {
            held?.Dispose();
            throw;
        }
    }

    /// <summary>A run without a guard could keep a change that breaks the tests: only when the user said so.</summary>
    public void RequireGuardOrWaiver(bool withoutGuard)
    {
        if (Setup.Guard is null && !withoutGuard)
        {
            throw new PerfloopException(
                $"no guard: {PerfloopConfig.FileName} has no \"guard\" (the tests that must pass after every candidate), so a change that breaks them could be kept; add \"guard\": \"<test command>\" and commit it, or pass {Mention.Input("no-guard")} to run without one (every row then says no_guard)");
        }
    }

    /// <summary>
    /// The keep threshold experiments are judged with now: the one the latest baseline row calibrated, or null when there
    /// is no baseline yet or perfloop.json measures differently since (a threshold calibrated for another benchmark or
    /// design judges nothing).
    /// </summary>
    public double? CalibratedThresholdPct() =>
        Ledger.LatestBaseline is { } baseline && MethodologyChange(baseline) is null ? baseline.ThresholdPct : null;

    /// <summary>The session's threshold: calibrated when there is one, else the configured one. The only place it is chosen.</summary>
    public double ThresholdPct() => CalibratedThresholdPct() ?? Setup.ConfiguredThresholdPct;

    /// <summary>
    /// The metric that judges experiments now: the one the governing baseline's calibration chose by evidence (its row's
    /// metric: CPU time or instructions standing in for wall time), else the configured one. The only place it is chosen.
    /// </summary>
    public SelectedMetric JudgingMetric() =>
        GoverningBaseline() is { } baseline && baseline.Metric != Setup.Metric.Name && Setup.Methodology.Judges(baseline.Metric)
            ? Setup.Metric with { Name = baseline.Metric, Direction = Statistics.MetricDirection.LowerIsBetter, Unit = MetricSelection.UnitOf(baseline.Metric) }
            : Setup.Metric;

    /// <summary>A KEEP on the judging metric must not be contradicted by wall time: it stands in for wall time in the cpu domain.</summary>
    public bool JudgesByWallTimeProxy() =>
        Setup.Domain.Name == "cpu" && JudgingMetric().Name is MetricNames.CpuMs or MetricNames.Instructions;

    /// <summary>The experiments' sequential design: the configured one, deterministic when the calibration's runs of the judging metric never varied.</summary>
    public Statistics.SequentialDesign ExperimentDesign() =>
        VerdictReplay.CalibratedDesign(Root, GoverningBaseline()?.Experiment, JudgingMetric().Name, Setup.Methodology.ExperimentDesign);

    /// <summary>The instruction counter perfloop.json asks for, probed once per command; null when instructions are not counted.</summary>
    public async Task<InstructionCounter?> CounterAsync(CancellationToken cancellationToken) =>
        (counter ??= new(await InstructionCounter.ForConfigAsync(Services.Runner, Setup.Config, Root, cancellationToken))).Value;

    ResultRow? GoverningBaseline() => Ledger.LatestBaseline is { } baseline && MethodologyChange(baseline) is null ? baseline : null;

    /// <summary>"baseline 3: bench 'a' → 'b'" when perfloop.json now measures differently from the latest baseline row; else null.</summary>
    public string? MethodologyChangeSinceBaseline() => Ledger.LatestBaseline is { } baseline ? MethodologyChange(baseline) : null;

    string? MethodologyChange(ResultRow baseline)
    {
        var fixedThen = Methodology.Load(Root, baseline.Experiment);
        var changes = fixedThen is null
            // A row from before methodologies were kept: the metric is all it records.
            ? baseline.Metric == Setup.Metric.Name ? "" : $"metric {baseline.Metric} → {Setup.Metric.Name}"
            : Setup.Methodology.DescribeChangesFrom(fixedThen);
        return changes.Length == 0 ? null : string.Create(CultureInfo.InvariantCulture, $"baseline {baseline.Experiment}: {changes}");
    }

    /// <summary>
    /// Refuses to start on uncommitted work (nothing of the user's may be touched by a restore) or in the middle of a git
    /// operation (a merge, rebase, cherry-pick, revert or bisect the user has not finished).
    /// </summary>
    public async Task EnsureCleanAsync(CancellationToken cancellationToken)
    {
        await Repository.EnsureNoOperationInProgressAsync(cancellationToken);
        var dirty = await Repository.ChangedPathsAsync(cancellationToken);
        if (dirty.Contains(PerfloopConfig.FileName))
        {
            throw new PerfloopException(
                $"{PerfloopConfig.FileName} has uncommitted changes; commit it first (git add {PerfloopConfig.FileName} && git commit -m \"perfloop config\") so experiments are measured with a recorded setup");
        }

        if (dirty.Count > 0)
        {
            throw new PerfloopException(
                $"the work tree has uncommitted changes ({dirty[0]}{(dirty.Count > 1 ? $" and {dirty.Count - 1} more" : "")}); commit or stash them first, or pass --allow-dirty to have perfloop set them aside and give them back, so no work of yours can be lost");
        }
    }

    /// <summary>Where the copies of Perfloop's trusted files live (inside the git directory, out of the work tree).</summary>
    public Task<string> TrustedStoreAsync(CancellationToken cancellationToken) => Repository.GitPathAsync("perfloop/trusted", cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await Baselines.DisposeAsync();
        repositoryLock?.Dispose();
    }
}

/// <summary>A value resolved once, null included (so "no counter" is not probed again).</summary>
sealed record Resolved<T>(T? Value)
    where T : class;
