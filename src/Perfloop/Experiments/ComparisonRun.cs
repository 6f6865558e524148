using Perfloop.Measurement;
using Perfloop.Reporting;

namespace Perfloop.Experiments;

/// <summary>
/// The baseline tree against the work tree, interleaved, with the setup's metric and budgets; the raw samples go to
/// <c>samples.tsv</c> in the given folder so the verdict can be replayed.
/// </summary>
public sealed class ComparisonRun(ExperimentContext context)
{
    /// <summary>
    /// The experiment (or baseline row) number and the purpose (0 for an A/A calibration, 1 + the attempt for an
    /// experiment) seed the order of runs, so every measurement has its own fixed order.
    /// </summary>
    public async Task<Comparison> MeasureAsync(int experiment, string samplesDirectory, string baselineDirectory, SelectedMetric metric, double thresholdPct, Statistics.SequentialDesign design, int purpose, CancellationToken cancellationToken)
    {
        var setup = context.Setup;
        var m = setup.Config.Measurement;
        var plan = new MeasurementPlan(
            m.WarmupRuns,
            design,
            TimeSpan.FromSeconds(m.MaxSeconds),
            TimeSpan.FromSeconds(setup.Config.Timeouts.BenchSeconds),
            m.Seed + (experiment * 7919) + purpose);
        var benchmark = new InterleavedBenchmark(context.Services.Runner, setup.Config.Bench, metric, await context.CounterAsync(cancellationToken));
        var where = purpose == 0 ? "[baseline]" : StatusLines.Prefix(experiment);
        context.Reporter.Progress(new LoopProgress(where, purpose == 0 ? "calibrating" : "benchmarking", 0, design.Looks[^1]));
        var comparison = await benchmark.RunAsync(baselineDirectory, context.Root, plan, thresholdPct, new LookReporter(context.Reporter, experiment, where, purpose == 0 ? "calibrating" : "benchmarking"), cancellationToken);
        Directory.CreateDirectory(samplesDirectory);
        await File.WriteAllTextAsync(Path.Combine(samplesDirectory, "samples.tsv"), SampleTable.Format(comparison.Samples), cancellationToken);
        return comparison;
    }

    /// <summary>A verdict that needs more pairs says so at each look, so a long measurement is never silent.</summary>
    sealed class LookReporter(ILoopReporter reporter, int experiment, string where, string phase) : IMeasurementProgress
    {
        public void PairMeasured(int pairs, int maxPairs) => reporter.Progress(new LoopProgress(where, phase, pairs, maxPairs));

        public void LookWithoutVerdict(Statistics.SequentialStep look) =>
            reporter.Detail($"{StatusLines.Prefix(experiment)} {look.Why}; measuring more pairs");
    }
}
