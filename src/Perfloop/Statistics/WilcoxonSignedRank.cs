using System.Collections.Concurrent;
using Perfolizer.Mathematics.Distributions.ContinuousDistributions;

namespace Perfloop.Statistics;

/// <summary>
/// Null distribution of the Wilcoxon signed-rank statistic T⁺. Neither Perfolizer 0.6.1 nor Pragmastat 3.2.4
/// ships it (Perfolizer only has the two-sample Mann–Whitney CDFs), so it is composed here: the exact
/// distribution by the classic recurrence p_n(s) = (p_{n-1}(s) + p_{n-1}(s - n)) / 2, and a normal
/// approximation with continuity correction (Perfolizer's <see cref="NormalDistribution"/>) beyond
/// <see cref="ExactLimit"/> pairs where the exact table would cost too much.
/// </summary>
static class WilcoxonSignedRank
{
    internal const int ExactLimit = 400;

    // Memo only (a pure function of its key), so sharing it across threads changes no result.
    static readonly ConcurrentDictionary<(int Pairs, double Alpha), int> CriticalCountCache = new();

    /// <summary>
    /// The number k of Walsh averages to trim from each end so that [W(k), W(N+1-k)] has coverage ≥ 1 - alpha:
    /// the largest k with P(T⁺ ≤ k - 1) ≤ alpha / 2. Zero means no finite interval reaches that level.
    /// </summary>
    internal static int TrimCount(int pairs, double alpha) =>
        CriticalCountCache.GetOrAdd((pairs, alpha), static key => ComputeTrimCount(key.Pairs, key.Alpha));

    /// <summary>P(T⁺ ≤ value) under the null for the given number of nonzero pairs.</summary>
    internal static double Cdf(int pairs, int value)
    {
        if (value < 0)
        {
            return 0;
        }

        var probabilities = ExactProbabilities(pairs);
        var cumulative = 0.0;
        for (var sum = 0; sum <= Math.Min(value, probabilities.Length - 1); sum++)
        {
            cumulative += probabilities[sum];
        }

        return Math.Min(cumulative, 1.0);
    }

    static int ComputeTrimCount(int pairs, double alpha)
    {
        if (pairs <= 0)
        {
            return 0;
        }

        var halfAlpha = alpha / 2;
        if (pairs > ExactLimit)
        {
            return NormalTrimCount(pairs, halfAlpha);
        }

        var probabilities = ExactProbabilities(pairs);
        var cumulative = 0.0;
        var trim = 0;
        // P(T⁺ ≤ trim) ≤ alpha/2 means trimming trim + 1 Walsh averages keeps the level.
        while (trim < probabilities.Length)
        {
            cumulative += probabilities[trim];
            if (cumulative > halfAlpha)
            {
                break;
            }

            trim++;
        }

        var walshCount = pairs * (pairs + 1) / 2;
        return Math.Min(trim, (walshCount + 1) / 2);
    }

    static int NormalTrimCount(int pairs, double halfAlpha)
    {
        var mean = pairs * (pairs + 1) / 4.0;
        var sd = Math.Sqrt(pairs * (pairs + 1) * (2.0 * pairs + 1) / 24.0);
        var z = NormalDistribution.Standard.Quantile(1 - halfAlpha);
        // P(T⁺ ≤ k - 1) ≈ Φ((k - 1 + 0.5 - mean) / sd) ≤ halfAlpha  ⇔  k ≤ mean + 0.5 - z·sd.
        return Math.Max(0, (int)Math.Floor(mean + 0.5 - (z * sd)));
    }

    static double[] ExactProbabilities(int pairs)
    {
        var maxSum = pairs * (pairs + 1) / 2;
        var probabilities = new double[maxSum + 1];
        probabilities[0] = 1;
        var reached = 0;
        for (var rank = 1; rank <= pairs; rank++)
        {
            reached += rank;
            // Walk downwards so each rank is used at most once (0/1 knapsack order).
            for (var sum = reached; sum >= 0; sum--)
            {
                var without = probabilities[sum];
                var with = sum >= rank ? probabilities[sum - rank] : 0;
                probabilities[sum] = (without + with) / 2;
            }
        }

        return probabilities;
    }
}
