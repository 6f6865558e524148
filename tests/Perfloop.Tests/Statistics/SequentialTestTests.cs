using Perfloop.Statistics;

namespace Perfloop.Tests.Statistics;

public class SequentialTestTests
{
    static readonly SequentialDesign Design = new();

    [Fact]
    public void Default_design_looks_geometrically_and_spends_exactly_alpha()
    {
        // 10 pairs would also be a look, but its share of alpha (0.13%) is below 2/1024, the least the exact
        // interval at 10 pairs needs: it could never decide, so its alpha goes to the look at 16.
        Assert.Equal([6, 16, 24, 36, 60], Design.Looks);
        Assert.Equal(0.05 * 0.35 * 10 / 54, Design.AlphaAtLook(2), 12);
        var spent = Enumerable.Range(1, Design.Looks.Count).Sum(Design.AlphaAtLook);
        Assert.Equal(Design.Alpha, spent, 12);
        // The first look must allow the 6-pair [min, max] interval, which exists only from 1 - 1/32.
        Assert.True(Design.AlphaAtLook(1) >= 1.0 / 32);
        Assert.Equal(Design.ConfidenceLevelAtLook(5), Design.FinalConfidenceLevel);
    }

    [Fact]
    public void Forced_stop_spends_the_alpha_left_after_the_looks_already_taken()
    {
        var afterTwoLooks = Design.Alpha - Design.AlphaAtLook(1) - Design.AlphaAtLook(2);

        Assert.Equal(1 - afterTwoLooks, Design.ForcedStopConfidenceLevel(20), 12);
        Assert.Equal(1 - Design.Alpha, Design.ForcedStopConfidenceLevel(4), 12);
    }

    [Fact]
    public void A_big_effect_is_decided_at_the_first_look()
    {
        var (baseline, candidate) = SyntheticPairs.LogNormal(6, 0.05, 1.35, seed: 11);

        var step = SequentialTest.Evaluate(Design, baseline, candidate, 5, MetricDirection.LowerIsBetter);

        Assert.True(step.Stop);
        Assert.Equal(1, step.Look);
        Assert.Equal(Verdict.Regressed, step.Result.Verdict);
        Assert.True(step.Result.SignificantlyWorse);
        Assert.Contains("Regressed", step.Why, StringComparison.Ordinal);
    }

    [Fact]
    public void A_small_effect_needs_more_pairs_than_a_big_one()
    {
        var bigStop = PairsUntilStop(1.35, seed: 21);
        var smallStop = PairsUntilStop(0.92, seed: 21);

        Assert.Equal(6, bigStop.Pairs);
        Assert.True(smallStop.Pairs > bigStop.Pairs, $"small effect stopped at {smallStop.Pairs} pairs");
        Assert.Equal(Verdict.Improved, smallStop.Verdict);
    }

    [Fact]
    public void Pair_counts_between_looks_never_stop_and_spend_nothing()
    {
        var (baseline, candidate) = SyntheticPairs.LogNormal(8, 0.05, 1.35, seed: 3);

        var step = SequentialTest.Evaluate(Design, baseline, candidate, 5, MetricDirection.LowerIsBetter);

        Assert.False(step.Stop);
        Assert.Equal(0, step.Look);
        Assert.Contains("next at 16", step.Why, StringComparison.Ordinal);
    }

    [Fact]
    public void A_last_look_whose_level_the_pairs_cannot_reach_says_so_instead_of_an_infinite_interval()
    {
        // Looks at 2 and 4 pairs: neither can bound an interval (2/4 and 2/16 exceed any alpha here); the first is
        // left out, the last must stay and says why it has no interval.
        var design = new SequentialDesign(2, 4);
        var (baseline, candidate) = SyntheticPairs.LogNormal(4, 0.05, 1.35, seed: 5);

        var step = SequentialTest.Evaluate(design, baseline, candidate, 5, MetricDirection.LowerIsBetter);

        Assert.Equal([4], design.Looks);
        Assert.True(step.Stop);
        Assert.Equal(Verdict.Inconclusive, step.Result.Verdict);
        Assert.False(step.Result.Estimate.IsBounded);
        Assert.Contains("(CI unbounded: 4 pairs cannot reach 95%)", step.Why, StringComparison.Ordinal);
        Assert.DoesNotContain("Infinity", step.Why, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_planned_look_but_the_last_can_reach_its_level()
    {
        foreach (var (min, max) in new[] { (2, 60), (4, 40), (6, 60), (6, 10), (8, 200), (10, 16) })
        {
            var design = new SequentialDesign(min, max);
            for (var look = 1; look < design.Looks.Count; look++)
            {
                Assert.True(WilcoxonSignedRank.TrimCount(design.Looks[look - 1], design.AlphaAtLook(look)) > 0, $"({min}, {max}) look {look}");
            }

            Assert.Equal(design.Alpha, Enumerable.Range(1, design.Looks.Count).Sum(design.AlphaAtLook), 12);
        }
    }

    [Fact]
    public void Fewer_pairs_than_the_minimum_never_stop()
    {
        var (baseline, candidate) = SyntheticPairs.LogNormal(4, 0.05, 2.0, seed: 3);

        var step = SequentialTest.Evaluate(Design, baseline, candidate, 5, MetricDirection.LowerIsBetter);

        Assert.False(step.Stop);
        Assert.Equal(0, step.Look);
    }

    [Fact]
    public void Exhausted_budget_and_maximum_pairs_force_a_final_verdict()
    {
        var (baseline, candidate) = SyntheticPairs.LogNormal(60, 0.30, 1.0, seed: 5);

        var forced = SequentialTest.Evaluate(Design, baseline[..20], candidate[..20], 5, MetricDirection.LowerIsBetter, budgetExhausted: true);
        var atMax = SequentialTest.Evaluate(Design, baseline, candidate, 5, MetricDirection.LowerIsBetter);

        Assert.True(forced.Stop);
        Assert.Equal(3, forced.Look);
        Assert.Equal(Design.ForcedStopConfidenceLevel(20), forced.Result.Estimate.ConfidenceLevel);
        Assert.True(atMax.Stop);
        Assert.Equal(Design.Looks.Count, atMax.Look);
        Assert.Equal(Design.FinalConfidenceLevel, atMax.Result.Estimate.ConfidenceLevel, 12);
        Assert.Equal(Verdict.Inconclusive, atMax.Result.Verdict); // 30% noise cannot resolve ±5% in 60 pairs
    }

    [Fact]
    public void No_op_changes_are_rarely_kept_under_repeated_looks()
    {
        const int Trials = 300;
        var kept = 0;
        for (var trial = 0; trial < Trials; trial++)
        {
            // Threshold 0: only the interval guards against a false KEEP here (bound: Alpha / 2 = 2.5%).
            var result = PairsUntilStop(1.0, seed: 5000 + trial, thresholdPct: 0, sigma: 0.05);
            if (result.Verdict == Verdict.Improved)
            {
                kept++;
            }
        }

        Assert.True(kept / (double)Trials <= 0.025, $"{kept} of {Trials} no-op runs were kept");
    }

    static (int Pairs, Verdict Verdict) PairsUntilStop(double trueRatio, int seed, double thresholdPct = 5, double sigma = 0.05)
    {
        var (baseline, candidate) = SyntheticPairs.LogNormal(Design.MaxPairs, sigma, trueRatio, seed);
        for (var pairs = Design.MinPairs; ; pairs += Design.BlockPairs)
        {
            var step = SequentialTest.Evaluate(Design, baseline[..pairs], candidate[..pairs], thresholdPct, MetricDirection.LowerIsBetter);
            if (step.Stop)
            {
                return (pairs, step.Result.Verdict);
            }
        }
    }
}

public class DeterministicDesignTests
{
    static readonly SequentialDesign Deterministic = new() { Deterministic = true };

    [Fact]
    public void Identical_ratios_settle_at_the_first_planned_look_even_without_the_deterministic_rule()
    {
        double[] baseline = [100, 100, 100, 100, 100, 100];
        double[] candidate = [80, 80, 80, 80, 80, 80];

        var step = SequentialTest.Evaluate(new SequentialDesign(), baseline, candidate, 5, MetricDirection.LowerIsBetter);

        Assert.True(step.Stop);
        Assert.Equal(Verdict.Improved, step.Result.Verdict);
        Assert.Equal(0.8, step.Result.Estimate.Low, 12);
        Assert.Equal(0.8, step.Result.Estimate.High, 12);
    }

    [Fact]
    public void A_first_look_whose_level_is_unreachable_is_never_planned_so_two_pairs_cannot_stop_a_noisy_metric()
    {
        var design = new SequentialDesign(MinPairs: 2, MaxPairs: 8);

        var step = SequentialTest.Evaluate(design, [100, 100], [80, 80], 5, MetricDirection.LowerIsBetter);

        Assert.Equal([6, 8], design.Looks);
        Assert.False(step.Stop);
        Assert.Equal(0, step.Look);
    }

    [Theory]
    [InlineData(80, Verdict.Improved)]
    [InlineData(120, Verdict.Regressed)]
    [InlineData(100, Verdict.Equivalent)]
    [InlineData(96, Verdict.Equivalent)]
    public void A_deterministic_metric_is_decided_by_the_first_block_with_its_exact_ratio(double candidateValue, Verdict expected)
    {
        var step = SequentialTest.Evaluate(Deterministic, [500_131_060, 500_131_060], [candidateValue * 5_001_310.6, candidateValue * 5_001_310.6], 5, MetricDirection.LowerIsBetter);

        Assert.True(step.Stop);
        Assert.Equal(expected, step.Result.Verdict);
        Assert.Equal(1, step.Result.Estimate.ConfidenceLevel);
        Assert.Equal(step.Result.Estimate.Low, step.Result.Estimate.High);
        Assert.Contains("exactly (every run of each side gave the same value)", step.Why, StringComparison.Ordinal);
        Assert.Equal(2, Deterministic.FirstEvaluationPairs);
    }

    [Fact]
    public void A_run_that_differs_drops_the_deterministic_rule_and_the_planned_looks_follow()
    {
        var step = SequentialTest.Evaluate(Deterministic, [1000, 1000], [800, 801], 5, MetricDirection.LowerIsBetter);
        var six = SequentialTest.Evaluate(Deterministic, [1000, 1000, 1000, 1000, 1000, 1000], [800, 801, 800, 800, 800, 800], 5, MetricDirection.LowerIsBetter);

        Assert.False(step.Stop);
        Assert.True(six.Stop);
        Assert.Equal(0.9675, six.Result.Estimate.ConfidenceLevel, 6);
        Assert.StartsWith("look 1 of 5", six.Why, StringComparison.Ordinal);
    }

    /// <summary>callgrind on CI: a shell program's count moved by 14 of 35,716,262 instructions between runs.</summary>
    [Fact]
    public void Counts_a_few_instructions_apart_are_deterministic_and_decide_between_their_extremes()
    {
        double[] aaBaseline = [35_716_262, 35_716_248, 35_716_262, 35_716_262];
        double[] aaCandidate = [35_716_262, 35_716_262, 35_716_248, 35_716_262];
        var design = new SequentialDesign().ForCalibration(aaBaseline, aaCandidate);

        var step = SequentialTest.Evaluate(design, [35_716_262, 35_716_248], [62_716_262, 62_716_250], 5, MetricDirection.LowerIsBetter);

        Assert.True(design.Deterministic);
        Assert.True(step.Stop);
        Assert.Equal(Verdict.Regressed, step.Result.Verdict);
        Assert.Equal(62_716_250 / 35_716_262.0, step.Result.Estimate.Low, 12);
        Assert.Equal(62_716_262 / 35_716_248.0, step.Result.Estimate.High, 12);
        Assert.Contains("to a part per million", step.Why, StringComparison.Ordinal);
        // Ten parts per million is noise, not a counter: the planned looks decide.
        Assert.False(new SequentialDesign().ForCalibration([1_000_000, 1_000_010, 1_000_000], [1_000_000, 1_000_000, 1_000_000]).Deterministic);
    }

    [Fact]
    public void The_design_is_deterministic_only_when_each_side_repeated_one_value_on_every_calibration_run()
    {
        var design = new SequentialDesign();

        Assert.True(design.ForCalibration([7, 7, 7], [7, 7, 7]).Deterministic);
        // Two trees at paths of different lengths: a few instructions apart, each exactly repeatable.
        Assert.True(design.ForCalibration([7, 7, 7], [7.000001, 7.000001, 7.000001]).Deterministic);
        Assert.False(design.ForCalibration([7, 7, 7], [7, 7, 8]).Deterministic);
        Assert.False(design.ForCalibration([7, 8, 7], [7, 7, 7]).Deterministic);
        Assert.False(design.ForCalibration([7, 7], [7, 7]).Deterministic);
        Assert.Equal(6, design.FirstEvaluationPairs);
    }
}
