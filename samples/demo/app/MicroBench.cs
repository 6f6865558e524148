using System.Diagnostics;
using System.Globalization;

namespace Demo;

/// <summary>
/// Micro-benchmarks of single targets (the <c>micro</c> command): the target alone, timed in-process without the
/// program's start-up, printed as a <c>METRIC name=value</c> line for Perfloop.
/// </summary>
public static class MicroBench
{
    /// <summary>A third of the limit the bench reaches (~120,000): enough work to time, short enough to repeat.</summary>
    private const int PrimeLimit = 40_000;

    private const int Repetitions = 3;

    public static int Run(string target)
    {
        switch (target)
        {
            case "primes":
                double ms = MedianMilliseconds(() => PrimeScanner.PrimesUpTo(PrimeLimit).Count);
                Console.WriteLine($"METRIC primes_ms={ms.ToString("0.####", CultureInfo.InvariantCulture)}");
                return 0;
            default:
                Console.Error.WriteLine($"error: unknown micro-benchmark '{target}'; known: primes");
                return 2;
        }
    }

    /// <summary>One untimed call (JIT), then the median of a few timed calls.</summary>
    private static double MedianMilliseconds(Func<int> work)
    {
        int sink = work();
        var times = new double[Repetitions];
        for (int i = 0; i < Repetitions; i++)
        {
            long start = Stopwatch.GetTimestamp();
            sink ^= work();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(times);
        GC.KeepAlive(sink);
        return times[Repetitions / 2];
    }
}
