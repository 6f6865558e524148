using System.Diagnostics;
using System.Globalization;

namespace Perfloop.Measurement;

/// <summary>
/// Evidence of contention during one run — never a metric to judge on, but what tells a program that waits for I/O
/// from one that waits for a CPU. Every field is null where it was not measured (another platform, an older samples.tsv).
/// </summary>
/// <param name="VoluntarySwitches">ru_nvcsw of the command and its reaped descendants: times they blocked themselves.</param>
/// <param name="InvoluntarySwitches">ru_nivcsw: times the scheduler preempted them.</param>
/// <param name="CpuPressurePct">The machine's CPU pressure during the run: the PSI "some" share of time in which at
/// least one task waited for a CPU, in percent (0–100), from /proc/pressure/cpu read just before and just after.</param>
/// <param name="LoadAverage">The 1-minute load average just after the run: the fallback where PSI is missing.</param>
/// <param name="RunQueueWaitMs">Time the command's main thread spent runnable but not running (waiting for a CPU).</param>
public sealed record RunLoad(
    long? VoluntarySwitches,
    long? InvoluntarySwitches,
    double? CpuPressurePct,
    double? LoadAverage,
    double? RunQueueWaitMs)
{
    public static RunLoad None { get; } = new(null, null, null, null, null);

    /// <summary>Whether anything about the run's contention is known.</summary>
    public bool IsKnown => CpuPressurePct is not null || LoadAverage is not null || RunQueueWaitMs is not null;
}

/// <summary>
/// Reads the machine's CPU pressure (Linux PSI, /proc/pressure/cpu) and load average. A pressure reading is a
/// cumulative counter with the moment it was read; two of them give the share of the time between them in which
/// some task was waiting for a CPU. Reads take tens of microseconds and happen outside the timed window.
/// </summary>
public static class MachineLoad
{
    const string PressureFile = "/proc/pressure/cpu";
    const string LoadAverageFile = "/proc/loadavg";

    /// <summary>The PSI "some" counter (µs) and when it was read; null where the kernel has no PSI.</summary>
    public readonly record struct PressureReading(long TotalMicroseconds, long Timestamp);

    public static PressureReading? ReadPressure()
    {
        try
        {
            return ParsePressure(File.ReadAllText(PressureFile), Stopwatch.GetTimestamp());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>The "some" line's total of a /proc/pressure file: <c>some avg10=1.00 avg60=… avg300=… total=123</c>.</summary>
    public static PressureReading? ParsePressure(string text, long timestamp)
    {
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith("some ", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var field in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (field.StartsWith("total=", StringComparison.Ordinal)
                    && long.TryParse(field.AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture, out var total))
                {
                    return new PressureReading(total, timestamp);
                }
            }
        }

        return null;
    }

    /// <summary>Share of the time between two readings in which some task waited for a CPU, in percent, clamped to 0–100.</summary>
    public static double? PressurePct(PressureReading? before, PressureReading? after)
    {
        if (before is not { } b || after is not { } a || a.Timestamp <= b.Timestamp)
        {
            return null;
        }

        var elapsedMicroseconds = Stopwatch.GetElapsedTime(b.Timestamp, a.Timestamp).TotalMicroseconds;
        return Math.Clamp(100.0 * (a.TotalMicroseconds - b.TotalMicroseconds) / elapsedMicroseconds, 0, 100);
    }

    /// <summary>The 1-minute load average; null where /proc/loadavg is missing.</summary>
    public static double? ReadLoadAverage()
    {
        try
        {
            var first = File.ReadAllText(LoadAverageFile).Split(' ', 2)[0];
            return double.TryParse(first, NumberStyles.Float, CultureInfo.InvariantCulture, out var load) ? load : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return null;
        }
    }
}
