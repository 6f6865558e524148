using Perfloop.Statistics;

namespace Perfloop.Tests.Statistics;

public class MedianTests
{
    [Fact]
    public void Odd_and_even_counts_give_the_middle_value_or_the_mean_of_the_two_middle_ones()
    {
        Assert.Equal(3.0, Median.Of([5, 1, 3]));
        Assert.Equal(2.5, Median.Of([4, 1, 2, 3]));
    }

    [Fact]
    public void No_values_have_no_median()
    {
        Assert.Null(Median.Of([]));
    }

    [Fact]
    public void The_callers_list_is_never_reordered()
    {
        var values = new List<double> { 9, 1, 5 };
        Median.Of(values);
        Assert.Equal([9, 1, 5], values);
    }
}
