using Pragmastat;
using Pragmastat.Estimators;

namespace Perfloop.Statistics;

/// <summary>The sample median, the one place every figure that says "median" comes from (Pragmastat's estimator).</summary>
public static class Median
{
    /// <summary>The median of <paramref name="values"/>, or null when there are none. The input is never reordered.</summary>
    public static double? Of(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var copy = values.ToArray();
        return copy.Length == 0 ? null : MedianEstimator.Instance.Estimate(new Sample(copy)).NominalValue;
    }
}
