namespace Demo;

/// <summary>What the numbers of a text say about primes.</summary>
/// <param name="Count">How many numbers the text contains.</param>
/// <param name="PrimeCount">How many of them are prime.</param>
/// <param name="Limit">The largest number considered (the text's largest, capped at <see cref="PrimeScanner.MaxLimit"/>).</param>
/// <param name="PrimesUpToLimit">How many primes there are up to <paramref name="Limit"/>.</param>
/// <param name="LargestPrime">The largest prime up to <paramref name="Limit"/>, 0 when none.</param>
/// <param name="LargestGap">The widest gap between consecutive primes up to <paramref name="Limit"/>.</param>
/// <param name="GapStart">The prime that opens that gap (the first one when several gaps tie).</param>
public sealed record NumberSummary(int Count, int PrimeCount, int Limit, int PrimesUpToLimit, int LargestPrime, int LargestGap, int GapStart);

public static class PrimeScanner
{
    /// <summary>Numbers above this are counted but not tested for primality.</summary>
    public const int MaxLimit = 1_000_000;

    /// <summary>All primes p with 2 &lt;= p &lt;= limit, ascending.</summary>
    public static List<int> PrimesUpTo(int limit)
    {
        var primes = new List<int>();
        for (int n = 2; n <= limit; n++)
        {
            bool isPrime = true;
            foreach (int p in primes)
            {
                if (n % p == 0)
                {
                    isPrime = false;
                    break;
                }
            }

            if (isPrime)
            {
                primes.Add(n);
            }
        }

        return primes;
    }

    public static NumberSummary Summarize(IReadOnlyList<long> numbers)
    {
        long max = 0;
        foreach (long n in numbers)
        {
            max = Math.Max(max, n);
        }

        int limit = (int)Math.Min(max, MaxLimit);
        List<int> primes = PrimesUpTo(limit);

        int primeCount = 0;
        foreach (long n in numbers)
        {
            if (n <= limit && primes.BinarySearch((int)n) >= 0)
            {
                primeCount++;
            }
        }

        int largestGap = 0;
        int gapStart = 0;
        for (int i = 1; i < primes.Count; i++)
        {
            int gap = primes[i] - primes[i - 1];
            if (gap > largestGap)
            {
                largestGap = gap;
                gapStart = primes[i - 1];
            }
        }

        int largestPrime = primes.Count > 0 ? primes[^1] : 0;
        return new NumberSummary(numbers.Count, primeCount, limit, primes.Count, largestPrime, largestGap, gapStart);
    }
}
