namespace Perfloop.Processes;

/// <summary>Runs every external command Perfloop starts (builds, benchmarks, oracles, tests).</summary>
public interface IProcessRunner
{
    /// <summary>
    /// Runs <paramref name="spec"/> to completion. Timeout and cancellation never throw: the child's process
    /// group is terminated, the child reaped, and the result has <see cref="ProcessResult.TimedOut"/> or
    /// <see cref="ProcessResult.Cancelled"/> set (with the output read so far), so callers can still log it.
    /// A program that cannot be started faults the task with <see cref="ProcessStartException"/>.
    /// </summary>
    Task<ProcessResult> RunAsync(CommandSpec spec, CancellationToken cancellationToken = default);
}
