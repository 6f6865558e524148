using Perfloop.Statistics;

namespace Perfloop.Tests.Statistics;

public class VerdictRuleTests
{
    [Theory]
    [InlineData(0.80, 0.85, MetricDirection.LowerIsBetter, Verdict.Improved, false, true)]
    [InlineData(1.10, 1.20, MetricDirection.LowerIsBetter, Verdict.Regressed, true, false)]
    [InlineData(0.97, 1.04, MetricDirection.LowerIsBetter, Verdict.Equivalent, false, false)]
    [InlineData(1.01, 1.04, MetricDirection.LowerIsBetter, Verdict.Equivalent, true, false)]
    [InlineData(1.02, 1.08, MetricDirection.LowerIsBetter, Verdict.Inconclusive, true, false)]
    [InlineData(0.90, 1.10, MetricDirection.LowerIsBetter, Verdict.Inconclusive, false, false)]
    [InlineData(1.10, 1.20, MetricDirection.HigherIsBetter, Verdict.Improved, false, true)]
    [InlineData(0.80, 0.85, MetricDirection.HigherIsBetter, Verdict.Regressed, true, false)]
    [InlineData(0.96, 0.99, MetricDirection.HigherIsBetter, Verdict.Equivalent, true, false)]
    public void Classifies_the_interval_against_a_five_percent_threshold(
        double low, double high, MetricDirection direction, Verdict expected, bool worse, bool better)
    {
        var estimate = new RatioEstimate(Math.Sqrt(low * high), low, high, 0.95, 10);

        var result = VerdictRule.Classify(estimate, 5, direction);

        Assert.Equal(expected, result.Verdict);
        Assert.Equal(worse, result.SignificantlyWorse);
        Assert.Equal(better, result.SignificantlyBetter);
        Assert.Equal(5, result.ThresholdPct);
        Assert.Same(estimate, result.Estimate);
    }

    [Fact]
    public void An_unbounded_interval_is_inconclusive()
    {
        var estimate = new RatioEstimate(0.5, 0, double.PositiveInfinity, 0.95, 3);

        Assert.Equal(Verdict.Inconclusive, VerdictRule.Classify(estimate, 5, MetricDirection.LowerIsBetter).Verdict);
    }

    [Fact]
    public void Percent_properties_describe_the_change()
    {
        var estimate = new RatioEstimate(0.9, 0.8, 1.05, 0.95, 8);

        Assert.Equal(-10, estimate.DeltaPct, 10);
        Assert.Equal(-20, estimate.LowPct, 10);
        Assert.Equal(5, estimate.HighPct, 10);
    }
}
