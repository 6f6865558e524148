using Perfloop.Statistics;

namespace Perfloop.Tests.Statistics;

public class WilcoxonSignedRankTests
{
    [Fact]
    public void Cdf_for_three_pairs_matches_the_enumerated_subset_sums()
    {
        // Subset sums of {1, 2, 3}: 0 1 2 3 3 4 5 6, each with probability 1/8.
        Assert.Equal(1.0 / 8, WilcoxonSignedRank.Cdf(3, 0), 12);
        Assert.Equal(5.0 / 8, WilcoxonSignedRank.Cdf(3, 3), 12);
        Assert.Equal(1.0, WilcoxonSignedRank.Cdf(3, 6), 12);
    }

    [Theory]
    [InlineData(5, 0.05, 0)] // P(T⁺ = 0) = 1/32 > 0.025: no 95% interval exists
    [InlineData(6, 0.05, 1)] // 1/64 ≤ 0.025 < 2/64: the interval is [min, max]
    [InlineData(10, 0.05, 9)] // table critical value 8 at two-sided 5%: P(T⁺ ≤ 8) = 25/1024
    [InlineData(20, 0.05, 53)] // table critical value 52
    public void Trim_count_matches_the_published_critical_values(int pairs, double alpha, int expected) =>
        Assert.Equal(expected, WilcoxonSignedRank.TrimCount(pairs, alpha));

    [Fact]
    public void Normal_approximation_agrees_with_the_exact_table_at_its_limit()
    {
        var exact = WilcoxonSignedRank.TrimCount(WilcoxonSignedRank.ExactLimit, 0.05);
        var approximate = WilcoxonSignedRank.TrimCount(WilcoxonSignedRank.ExactLimit + 1, 0.05);
        // One more pair adds ~n/2 Walsh averages below the bound; the two must be close, not equal.
        Assert.InRange(approximate - exact, 0, WilcoxonSignedRank.ExactLimit);
    }
}
