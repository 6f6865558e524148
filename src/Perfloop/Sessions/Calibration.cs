using System.Globalization;
using Perfloop.Configuration;
using Perfloop.Errors;
using Perfloop.Experiments;
using Perfloop.Git;
using Perfloop.Journal;
using Perfloop.Measurement;
using Perfloop.Statistics;

namespace Perfloop.Sessions;

/// <summary>
/// The session's first step: the unchanged code measured against itself (A/A), both sides freshly built from HEAD. The
/// spread of that run is this machine's noise for this benchmark, and the effective threshold becomes
/// max(domain threshold, k × noise). Returns the baseline row (its methodology already saved beside its samples); the
/// caller records it.
/// </summary>
public static class Calibration
{
    public static async Task<ResultRow> RunAsync(ExperimentContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var setup = context.Setup;
        var runner = context.Services.Runner;
        await context.EnsureCleanAsync(cancellationToken);
        var checks = Preflight.Plan(setup.Config, setup.Guard);
        await Preflight.CheckAsync(runner, checks, PreflightStage.BeforeBuild, context.Root, cancellationToken);
        var head = await context.Repository.HeadAsync(cancellationToken);
        var number = context.Ledger.LastNumber;
        var metric = setup.Metric;
        context.Reporter.Status($"[baseline] {CommitId.Abbreviate(head)} on {await context.Repository.BranchAsync(cancellationToken) ?? "detached HEAD"}, domain {setup.Domain.Name}, metric {metric.Name}");
        var tree = await context.Baselines.TreeAsync(head, cancellationToken);
        // The second side of the A/A is the work tree: built now, whatever an earlier experiment left in it.
        await context.Baselines.BuildWorkTreeAsync(head, cancellationToken);
        await Preflight.CheckAsync(runner, checks, PreflightStage.AfterBuild, context.Root, cancellationToken);
        await context.Baselines.OracleAsync(head, cancellationToken, workTreeBuilt: true);

        if (context.MethodologyChangeSinceBaseline() is { } change)
        {
            context.Reporter.Status($"[baseline] the measurement methodology changed since {change}: a new baseline row with its own calibration");
        }

        context.Reporter.Status("[baseline] Calibrating noise (the baseline against itself)...");
        var methodology = setup.Methodology;
        var configured = setup.ConfiguredThresholdPct;
        var directory = PerfloopPaths.Baseline(context.Root, number);
        var comparison = await new ComparisonRun(context).MeasureAsync(number, directory, tree.Directory, metric, configured, methodology.CalibrationDesign, 0, cancellationToken);
        if (comparison.Failure is { } failure)
        {
            throw new PerfloopException($"the benchmark fails on the unchanged code ({failure.Side.ToString().ToLowerInvariant()} run: {failure.Message}); fix the bench command in {PerfloopConfig.FileName}", ExitCodes.Failure);
        }

        // Which metric judges is decided here, from the A/A runs alone, before any candidate is measured.
        var choice = MetricChooser.Choose(new MetricChoiceInput(comparison.Samples, setup.Domain.Name, metric, Explicit: setup.Config.Metric is not null, configured, Environment.ProcessorCount));
        var a1 = comparison.Values(Side.Baseline, choice.Metric);
        var a2 = comparison.Values(Side.Candidate, choice.Metric);
        var noise = choice.Noise;
        var thresholdText = string.Create(CultureInfo.InvariantCulture,
            $"{noise.EffectiveThresholdPct:0.##}% (domain {configured:0.##}%, A/A noise {noise.NoisePct:0.##}% per run pair over {noise.Pairs} pairs, k = {noise.K:0.##})");
        var baseline = Median.Of(a1) ?? double.NaN;
        if (choice.Metric != metric.Name || choice.OffCpu is not null)
        {
            context.Reporter.Status($"[baseline] judging on {choice.Why}");
        }

        context.Reporter.Status($"[baseline] {choice.Metric} {StatusLines.Measure(baseline, MetricSelection.UnitOf(choice.Metric))}; effective keep threshold {thresholdText}");
        Conventions.WriteEffectiveThreshold(context.Root, setup.Guard, setup.Domain.Name, thresholdText);

        var estimate = choice.Metric == metric.Name
            ? comparison.Result!.Estimate
            : RatioStatistics.Estimate(a1, a2, methodology.CalibrationDesign.FinalConfidenceLevel);
        // The methodology first: a row whose methodology is missing would be taken for an old row and trusted.
        methodology.Save(context.Root, number);
        return new ResultRow
        {
            Experiment = number,
            Timestamp = context.Services.Clock.GetUtcNow(),
            Domain = setup.Domain.Name,
            Target = "baseline",
            Summary = "unchanged code measured against itself (A/A)",
            Metric = choice.Metric,
            Baseline = baseline,
            Candidate = Median.Of(a2),
            DeltaPct = estimate.DeltaPct,
            CiLowPct = estimate.IsBounded ? estimate.LowPct : null,
            CiHighPct = estimate.IsBounded ? estimate.HighPct : null,
            Pairs = comparison.Pairs,
            ThresholdPct = noise.EffectiveThresholdPct,
            Status = ExperimentStatus.Baseline,
            Commit = head,
            Reason = choice.Metric == metric.Name && choice.OffCpu is null
                ? $"noise calibration; effective threshold {thresholdText}"
                : $"noise calibration; effective threshold {thresholdText}; judging on {choice.Why}",
            Extra = new Dictionary<string, string> { [ResultsTable.MethodologyColumn] = methodology.Fingerprint },
        };
    }
}
