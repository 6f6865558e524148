using Perfloop.Statistics;

namespace Perfloop.Measurement;

/// <summary>The wall-time check of a verdict taken on a proxy metric.</summary>
/// <param name="Contradicts">Wall time is significantly worse beyond the threshold: a KEEP on the proxy must not stand.</param>
/// <param name="Wall">The wall-time ratio of the same pairs with its interval (unbounded when the pairs are too few for the level).</param>
/// <param name="Text">One line for the status and the results row.</param>
public sealed record WallGuardResult(bool Contradicts, RatioEstimate Wall, string Text);

/// <summary>
/// A KEEP judged on a proxy (CPU time, instructions) must not be contradicted by wall time, the thing the cpu domain is
/// about. The check, pure and exact: over the same pairs, the paired Hodges–Lehmann wall-time ratio with its exact
/// Wilcoxon signed-rank interval at the confidence level the verdict was taken at (a deterministic verdict's exact
/// level of 1 is replaced by the design's first-look level); wall time contradicts when that whole interval lies above
/// 1 + threshold/100, the threshold being the verdict's own. So a false contradiction of a program whose wall time
/// truly changed by no more than the threshold has probability at most (1 − level)/2; with too few pairs for the
/// level (a deterministic verdict of 2 pairs) nothing is significant and nothing contradicts.
/// </summary>
public static class WallTimeGuard
{
    public static WallGuardResult Check(IReadOnlyList<RunSample> samples, VerdictResult verdict, SequentialDesign design)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(verdict);
        ArgumentNullException.ThrowIfNull(design);
        var level = verdict.Estimate.ConfidenceLevel < 1 ? verdict.Estimate.ConfidenceLevel : design.ConfidenceLevelAtLook(1);
        var pairs = samples.Where(s => s.Pair >= 0).GroupBy(s => s.Pair).OrderBy(g => g.Key)
            .Select(g => (Baseline: g.FirstOrDefault(s => s.Side == Side.Baseline)?.WallMs, Candidate: g.FirstOrDefault(s => s.Side == Side.Candidate)?.WallMs))
            .Where(p => p.Baseline is > 0 && p.Candidate is > 0)
            .ToList();
        var wall = RatioStatistics.Estimate([.. pairs.Select(p => p.Baseline!.Value)], [.. pairs.Select(p => p.Candidate!.Value)], level);
        var threshold = verdict.ThresholdPct;
        var contradicts = wall.IsBounded && wall.Low > 1 + (threshold / 100);
        var text = contradicts
            ? $"wall time {Figures.WithInterval(wall)}: worse beyond the {Figures.Percent(threshold)} threshold, contradicting the verdict"
            : $"wall time {Figures.WithInterval(wall)}: not worse beyond {Figures.Percent(threshold)}";
        return new WallGuardResult(contradicts, wall, text);
    }
}
