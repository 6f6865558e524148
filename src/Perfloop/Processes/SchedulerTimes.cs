using System.Globalization;

namespace Perfloop.Processes;

/// <summary>
/// A process's main-thread scheduler counters from <c>/proc/PID/schedstat</c>: nanoseconds on a CPU and nanoseconds
/// runnable on a run queue but not running (on a busy machine: waiting for a CPU). Exact (the scheduler's own clock),
/// kept while the process is a zombie, gone once it is reaped; other threads and descendants are not in them.
/// </summary>
readonly record struct SchedulerTimes(long RunNanoseconds, long WaitNanoseconds)
{
    /// <summary>The counters now, or null where the kernel does not keep them (no file, or all zeros without CONFIG_SCHED_INFO).</summary>
    public static SchedulerTimes? Read(int processId)
    {
        try
        {
            var fields = File.ReadAllText($"/proc/{processId}/schedstat").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2
                || !long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var run)
                || !long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var wait)
                || (run == 0 && wait == 0))
            {
                return null;
            }

            return new SchedulerTimes(run, wait);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
