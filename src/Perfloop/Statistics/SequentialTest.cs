using System.Globalization;

namespace Perfloop.Statistics;

/// <summary>Decides after each block whether the pairs so far settle the verdict under a <see cref="SequentialDesign"/>.</summary>
public static class SequentialTest
{
    /// <summary>
    /// Call after every block with all pairs so far. Stops at a planned look whose interval gives Improved,
    /// Regressed or Equivalent, at <see cref="SequentialDesign.MaxPairs"/>, or when
    /// <paramref name="budgetExhausted"/> (the caller's time budget ended): then it returns the final verdict at
    /// <see cref="SequentialDesign.ForcedStopConfidenceLevel"/>, possibly Inconclusive.
    /// </summary>
    public static SequentialStep Evaluate(
        SequentialDesign design,
        IReadOnlyList<double> baseline,
        IReadOnlyList<double> candidate,
        double thresholdPct,
        MetricDirection direction,
        bool budgetExhausted = false)
    {
        ArgumentNullException.ThrowIfNull(design);
        var logRatios = RatioStatistics.LogRatios(baseline, candidate);
        var pairs = logRatios.Length;
        if (design.Deterministic && pairs >= design.FirstEvaluationPairs && SequentialDesign.Repeats(baseline) && SequentialDesign.Repeats(candidate))
        {
            // A metric the calibration found deterministic, reproduced by every run here: the ratio is known, not
            // estimated — exactly, or between its extremes when the counts moved by a part per million at most.
            var ratio = candidate[0] / baseline[0];
            var exactly = Constant(baseline) && Constant(candidate);
            var estimate = exactly
                ? new RatioEstimate(ratio, ratio, ratio, 1, pairs)
                : new RatioEstimate(MedianOf(candidate) / MedianOf(baseline), candidate.Min() / baseline.Max(), candidate.Max() / baseline.Min(), 1, pairs);
            var known = VerdictRule.Classify(estimate, thresholdPct, direction);
            var how = exactly ? "exactly (every run of each side gave the same value)" : "to a part per million (every run of each side within 1 ppm of the others)";
            return new SequentialStep(true, known, 1, string.Create(CultureInfo.InvariantCulture,
                $"deterministic metric, {pairs} pairs: {known.Verdict}, {Figures.WithSign(known.Estimate.DeltaPct)}% {how} against ±{Figures.Percent(thresholdPct)}"));
        }

        var looks = design.Looks;
        var lastLook = looks[^1];
        var plannedLook = IndexOfLook(looks, pairs);

        if (pairs >= lastLook || budgetExhausted)
        {
            var level = pairs >= lastLook ? design.ForcedStopConfidenceLevel(lastLook) : design.ForcedStopConfidenceLevel(pairs);
            var result = Classify(logRatios, level, thresholdPct, direction);
            var look = Math.Min(LooksBefore(looks, pairs) + 1, looks.Count);
            var reason = pairs >= lastLook ? "maximum pairs reached" : "budget exhausted";
            return new SequentialStep(true, result, look, Describe($"final look ({reason})", result));
        }

        if (plannedLook == 0)
        {
            // Not a look: no alpha is spent; show the interval at the next look's level for progress only.
            var nextLook = LooksBefore(looks, pairs) + 1;
            var progress = Classify(logRatios, design.ConfidenceLevelAtLook(nextLook), thresholdPct, direction);
            var why = pairs < design.MinPairs
                ? string.Create(CultureInfo.InvariantCulture, $"{pairs} pairs, fewer than the minimum {design.MinPairs}")
                : string.Create(CultureInfo.InvariantCulture, $"{pairs} pairs is not a planned look (next at {looks[nextLook - 1]})");
            return new SequentialStep(false, progress, 0, why);
        }

        var atLook = Classify(logRatios, design.ConfidenceLevelAtLook(plannedLook), thresholdPct, direction);
        var stop = atLook.Verdict != Verdict.Inconclusive;
        var label = string.Create(CultureInfo.InvariantCulture, $"look {plannedLook} of {looks.Count}");
        return new SequentialStep(stop, atLook, plannedLook, Describe(label, atLook));
    }

    static bool Constant(IReadOnlyList<double> values) => values.All(v => v == values[0]);

    static double MedianOf(IReadOnlyList<double> values) => Median.Of(values) ?? values[0];

    static VerdictResult Classify(double[] logRatios, double level, double thresholdPct, MetricDirection direction) =>
        VerdictRule.Classify(RatioStatistics.EstimateFromLogRatios(logRatios, level), thresholdPct, direction);

    static int IndexOfLook(IReadOnlyList<int> looks, int pairs)
    {
        for (var i = 0; i < looks.Count; i++)
        {
            if (looks[i] == pairs)
            {
                return i + 1;
            }
        }

        return 0;
    }

    static int LooksBefore(IReadOnlyList<int> looks, int pairs) => looks.Count(look => look < pairs);

    static string Describe(string label, VerdictResult result) =>
        $"{label}, {result.Estimate.Pairs.ToString(CultureInfo.InvariantCulture)} pairs: {result.Verdict}, {Figures.WithInterval(result.Estimate)} against ±{Figures.Percent(result.ThresholdPct)}";
}
