using Perfloop.Statistics;

namespace Perfloop.Tests.Statistics;

public class OrderStatisticTests
{
    [Fact]
    public void Selects_the_same_value_as_a_full_sort()
    {
        var random = new Random(42);
        for (var trial = 0; trial < 200; trial++)
        {
            var values = Enumerable.Range(0, random.Next(1, 80)).Select(_ => Math.Round(random.NextDouble() * 10)).ToArray();
            var sorted = values.Order().ToArray();
            var index = random.Next(values.Length);

            Assert.Equal(sorted[index], OrderStatistic.Select((double[])values.Clone(), index));
        }
    }
}
