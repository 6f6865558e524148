using System.Globalization;
using Perfloop.Configuration;
using Perfloop.Domains;
using Perfloop.Errors;
using Perfloop.Journal;
using Perfloop.Statistics;

namespace Perfloop.Measurement;

/// <summary>A verdict recomputed from the raw samples an experiment kept.</summary>
public sealed record ReplayedVerdict(
    int Experiment,
    string Metric,
    string Unit,
    double BaselineMedian,
    double CandidateAtRatio,
    VerdictResult Result,
    string Why,
    ResultRow Row);

/// <summary>
/// Recomputes experiment N's verdict from <c>.perfloop/experiments/N/samples.tsv</c> with the same sequential
/// test the loop used: the threshold recorded in its results.tsv row, the design (min/max runs; the calibration
/// runs for a baseline row) of the methodology its baseline row fixed (perfloop.json's for rows older than
/// methodology.json), and a forced final look when the run stopped between planned
/// looks (its time budget ended).
/// </summary>
public static class VerdictReplay
{
    public static ReplayedVerdict Load(string repositoryRoot, int experiment)
    {
        var rows = ResultsTable.Read(PerfloopPaths.Results(repositoryRoot));
        // Escalation and event rows carry the number of the row they follow, and so does a baseline row: the experiment
        // with the number is meant, else the baseline row that carries it (0 is the first session's baseline).
        var index = rows.ToList().FindLastIndex(r => r.Experiment == experiment && r.IsExperiment);
        if (index < 0)
        {
            index = rows.ToList().FindLastIndex(r => r.Experiment == experiment && r.Status == ExperimentStatus.Baseline);
        }

        var row = index >= 0 ? rows[index]
            : throw new PerfloopException($"experiment {experiment} is not in {Path.Combine(PerfloopPaths.StateDirectoryName, "results.tsv")} (which lists every experiment)");
        var directory = row.Status == ExperimentStatus.Baseline ? PerfloopPaths.Baseline(repositoryRoot, experiment) : PerfloopPaths.Experiment(repositoryRoot, experiment);
        var samplesPath = Path.Combine(directory, "samples.tsv");
        if (!File.Exists(samplesPath))
        {
            throw new PerfloopException(NoSamples(row, Path.GetRelativePath(repositoryRoot, samplesPath)));
        }

        var samples = SampleTable.Parse(File.ReadAllText(samplesPath));
        // The methodology the governing baseline row (the last one up to this row) fixed, so a later edit of perfloop.json cannot change an old verdict.
        var governing = rows.Take(index + 1).LastOrDefault(r => r.Status == ExperimentStatus.Baseline);
        if (governing is not null && Methodology.Load(repositoryRoot, governing.Experiment) is { } fixedThen && fixedThen.Judges(row.Metric))
        {
            var fixedDesign = row.Status == ExperimentStatus.Baseline
                ? fixedThen.CalibrationDesign
                : CalibratedDesign(repositoryRoot, governing.Experiment, row.Metric, fixedThen.ExperimentDesign);
            var direction = fixedThen.Metric == row.Metric ? fixedThen.Direction : MetricSelection.KnownDirection(row.Metric) ?? fixedThen.Direction;
            return Replay(experiment, samples, row, fixedDesign, direction);
        }

        var config = ConfigStore.Load(repositoryRoot);
        var design = row.Status == ExperimentStatus.Baseline
            ? new SequentialDesign(config.Measurement.CalibrationRuns, config.Measurement.CalibrationRuns)
            : CalibratedDesign(repositoryRoot, governing?.Experiment, row.Metric, new SequentialDesign(config.Measurement.MinRuns, config.Measurement.MaxRuns));
        return Replay(experiment, samples, row, design, DirectionOf(row, config));
    }

    /// <summary>Why an experiment has no samples to recompute a verdict from: it ended before measuring, and how.</summary>
    internal static string NoSamples(ResultRow row, string samplesPath)
    {
        var ended = row.Status switch
        {
            ExperimentStatus.Crash => "crashed before measuring",
            ExperimentStatus.Discard => "was discarded before measuring",
            _ => "ended before measuring",
        };
        var reason = row.Reason.Length > 0 ? $": {row.Reason}" : "";
        return row.Pairs is null
            ? $"experiment {row.Experiment} {ended}{reason}; it has no samples, so there is no verdict to recompute"
            : $"experiment {row.Experiment} has no samples ({samplesPath} is missing), though results.tsv says it measured {row.Pairs} pairs";
    }

    /// <summary>
    /// The experiment design as the calibration fixed it before the A/B data: deterministic when every A/A run of the
    /// governing baseline gave the same value of <paramref name="metric"/> (see <see cref="SequentialDesign.ForCalibration"/>).
    /// </summary>
    public static SequentialDesign CalibratedDesign(string repositoryRoot, int? baselineExperiment, string metric, SequentialDesign design)
    {
        var path = baselineExperiment is { } n ? Path.Combine(PerfloopPaths.Baseline(repositoryRoot, n), "samples.tsv") : null;
        if (path is null || !File.Exists(path))
        {
            return design;
        }

        var calibration = SampleTable.Parse(File.ReadAllText(path));
        var pairs = calibration.Where(s => s.Pair >= 0).GroupBy(s => s.Pair)
            .Select(g => (A1: g.FirstOrDefault(s => s.Side == Side.Baseline)?.Value(metric), A2: g.FirstOrDefault(s => s.Side == Side.Candidate)?.Value(metric)))
            .Where(p => p.A1 is not null && p.A2 is not null)
            .ToList();
        return design.ForCalibration([.. pairs.Select(p => p.A1!.Value)], [.. pairs.Select(p => p.A2!.Value)]);
    }

    /// <summary>The pure part: pairs the samples, then evaluates the sequential test where the run stopped.</summary>
    public static ReplayedVerdict Replay(int experiment, IReadOnlyList<RunSample> samples, ResultRow row, SequentialDesign design, MetricDirection direction)
    {
        var metric = row.Metric;
        var threshold = row.ThresholdPct
            ?? throw new PerfloopException($"experiment {experiment} has no threshold in results.tsv, so its verdict cannot be recomputed");
        var pairs = samples.GroupBy(s => s.Pair)
            .Where(g => g.Any(s => s.Side == Side.Baseline && s.Value(metric) is not null) && g.Any(s => s.Side == Side.Candidate && s.Value(metric) is not null))
            .OrderBy(g => g.Key)
            .ToList();
        // A deterministic metric is judged exactly after one block (2 pairs); anything else needs 3 pairs for an interval.
        var least = design.Deterministic ? Math.Min(3, design.FirstEvaluationPairs) : 3;
        if (pairs.Count < least)
        {
            throw new PerfloopException(string.Create(CultureInfo.InvariantCulture,
                $"experiment {experiment} has {pairs.Count} complete pairs of '{metric}' in samples.tsv; a verdict needs at least {least}"));
        }

        var baseline = pairs.Select(g => g.First(s => s.Side == Side.Baseline).Value(metric)!.Value).ToList();
        var candidate = pairs.Select(g => g.First(s => s.Side == Side.Candidate).Value(metric)!.Value).ToList();
        var stoppedBetweenLooks = !design.Looks.Contains(pairs.Count) && pairs.Count < design.Looks[^1];
        var step = SequentialTest.Evaluate(design, baseline, candidate, threshold, direction, budgetExhausted: stoppedBetweenLooks);
        var baselineMedian = Statistics.Median.Of(baseline)!.Value;
        return new ReplayedVerdict(experiment, metric, MetricSelection.UnitOf(metric), baselineMedian, baselineMedian * step.Result.Estimate.Ratio, step.Result, step.Why, row);
    }

    /// <summary>The direction the loop used: the configured metric's goal if it is this metric, else what Perfloop knows, else the domain's.</summary>
    public static MetricDirection DirectionOf(ResultRow row, PerfloopConfig config)
    {
        var domain = Domains.Domains.Find(row.Domain) ?? Domains.Domains.Find(config.Domain)!;
        var selected = MetricSelection.Select(config, domain);
        if (selected.Name == row.Metric)
        {
            return selected.Direction;
        }

        return MetricSelection.KnownDirection(row.Metric)
            ?? (domain.Goal == MetricGoal.LowerIsBetter ? MetricDirection.LowerIsBetter : MetricDirection.HigherIsBetter);
    }

}
