namespace Perfloop.Statistics;

/// <summary>
/// k-th smallest value by Hoare's quickselect: the BCL has no nth_element and a full sort of the Walsh
/// averages costs several times more at 200 pairs.
/// </summary>
static class OrderStatistic
{
    /// <summary>Returns the value of rank <paramref name="index"/> (0-based); reorders <paramref name="values"/> in place.</summary>
    internal static double Select(double[] values, int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, values.Length);
        var left = 0;
        var right = values.Length - 1;
        while (left < right)
        {
            // Median of three keeps sorted or reversed input (common for timings) away from the quadratic case.
            var middle = left + ((right - left) / 2);
            var pivot = MedianOfThree(values[left], values[middle], values[right]);
            var i = left;
            var j = right;
            while (i <= j)
            {
                while (values[i] < pivot)
                {
                    i++;
                }

                while (values[j] > pivot)
                {
                    j--;
                }

                if (i <= j)
                {
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
            }

            if (index <= j)
            {
                right = j;
            }
            else if (index >= i)
            {
                left = i;
            }
            else
            {
                return values[index];
            }
        }

        return values[index];
    }

    static double MedianOfThree(double a, double b, double c) =>
        Math.Max(Math.Min(a, b), Math.Min(Math.Max(a, b), c));
}
