using Perfloop.Statistics;

namespace Perfloop.Tests.Statistics;

public class RatioStatisticsTests
{
    [Fact]
    public void Six_pairs_at_the_lowest_exact_level_give_the_median_of_walsh_averages_and_the_min_max_interval()
    {
        double[] baseline = [1, 1, 1, 1, 1, 1];
        var candidate = new[] { 0.01, 0.02, 0.03, 0.04, 0.05, 0.06 }.Select(Math.Exp).ToArray();

        var estimate = RatioStatistics.Estimate(baseline, candidate, 1 - (1.0 / 32));

        // Walsh averages of 1..6 (×0.01) are symmetric around 3.5, so the Hodges–Lehmann estimate is 0.035.
        Assert.Equal(Math.Exp(0.035), estimate.Ratio, 10);
        Assert.Equal(Math.Exp(0.01), estimate.Low, 10);
        Assert.Equal(Math.Exp(0.06), estimate.High, 10);
        Assert.Equal(6, estimate.Pairs);
        Assert.True(estimate.IsBounded);
    }

    [Fact]
    public void Too_few_pairs_for_the_level_give_an_unbounded_interval()
    {
        var (baseline, candidate) = SyntheticPairs.LogNormal(5, 0.05, 0.5, seed: 1);

        var estimate = RatioStatistics.Estimate(baseline, candidate, 0.95);

        Assert.False(estimate.IsBounded);
        Assert.Equal(0, estimate.Low);
        Assert.True(double.IsPositiveInfinity(estimate.High));
    }

    [Fact]
    public void Interval_coverage_is_close_to_nominal_on_log_normal_data()
    {
        const int Trials = 400;
        const double TrueRatio = 1.1;
        var covered = 0;
        for (var trial = 0; trial < Trials; trial++)
        {
            var (baseline, candidate) = SyntheticPairs.LogNormal(20, 0.05, TrueRatio, seed: 1000 + trial);
            var estimate = RatioStatistics.Estimate(baseline, candidate, 0.95);
            if (estimate.Low <= TrueRatio && TrueRatio <= estimate.High)
            {
                covered++;
            }
        }

        // The exact interval has coverage ≥ 95.1% at 20 pairs; 400 trials give a binomial SD of ~1.1%.
        Assert.InRange(covered / (double)Trials, 0.92, 0.985);
    }

    [Fact]
    public void Pairs_must_match_and_values_must_be_positive()
    {
        Assert.Throws<ArgumentException>(() => RatioStatistics.Estimate([1, 2], [1], 0.95));
        Assert.Throws<ArgumentOutOfRangeException>(() => RatioStatistics.Estimate([1, 0], [1, 1], 0.95));
        Assert.Throws<ArgumentOutOfRangeException>(() => RatioStatistics.Estimate([1, 1], [1, double.NaN], 0.95));
        Assert.Throws<ArgumentOutOfRangeException>(() => RatioStatistics.Estimate([1, 1], [1, 1], 1.0));
    }
}
