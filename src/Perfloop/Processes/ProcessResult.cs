using System.Text;

namespace Perfloop.Processes;

/// <summary>
/// How one command ended and what it cost. CPU and peak RSS are exact for the child and its reaped
/// descendants (wait4 rusage) on Linux, and <c>null</c> where the platform cannot tell.
/// </summary>
/// <param name="ExitCode">The exit status; 128 + signal number when killed by a signal (shell convention);
/// -1 when nothing was started (cancelled before the start).</param>
/// <param name="Signal">The signal that killed the child, if any.</param>
/// <param name="TimedOut">The timeout expired and the process group was terminated.</param>
/// <param name="Cancelled">The cancellation token fired and the process group was terminated.</param>
/// <param name="WallTime">From just before the spawn to the moment the child's exit was seen.</param>
/// <param name="UserCpu">User CPU time of the child plus its reaped descendants.</param>
/// <param name="SystemCpu">System CPU time of the child plus its reaped descendants.</param>
/// <param name="PeakRssBytes">Peak resident set size of the child or its largest reaped descendant (ru_maxrss).
/// <c>null</c> when unknown — on Linux also when it is not above Perfloop's own peak RSS, because the kernel
/// reports max(child, spawning process) and a smaller child cannot be told apart, unless
/// <see cref="CommandSpec.ExactPeakRss"/> was set, which makes it exact down to the launcher shell's ~1-2 MB.</param>
/// <param name="StdoutHead">The first <see cref="CommandSpec.MemoryCapBytes"/> raw bytes of stdout.</param>
/// <param name="StderrHead">The first <see cref="CommandSpec.MemoryCapBytes"/> raw bytes of stderr.</param>
/// <param name="StdoutBytes">Length of the whole stdout stream.</param>
/// <param name="StderrBytes">Length of the whole stderr stream.</param>
/// <param name="StdoutSha256">Lowercase hex SHA-256 of the whole stdout stream, however long.</param>
/// <param name="OutputTruncated">Stdout or stderr was longer than the memory cap.</param>
/// <param name="LogTruncated">A log file stopped at <see cref="CommandSpec.LogCapBytes"/>.</param>
/// <param name="VoluntaryContextSwitches">Times the child and its reaped descendants gave up the CPU themselves
/// (ru_nvcsw: blocked on I/O, a lock, a sleep, a child); <c>null</c> where the platform cannot tell.</param>
/// <param name="InvoluntaryContextSwitches">Times the scheduler took the CPU from the child and its reaped descendants
/// (ru_nivcsw: preempted while runnable — on a busy machine, waiting for a CPU); <c>null</c> where unknown.</param>
/// <param name="RunQueueWait">Time the child's main thread spent runnable but not running (waiting for a CPU), from
/// its /proc schedstat just before it was reaped; descendants and other threads are not in it. <c>null</c> where the
/// kernel does not keep it.</param>
public sealed record ProcessResult(
    int ExitCode,
    int? Signal,
    bool TimedOut,
    bool Cancelled,
    TimeSpan WallTime,
    TimeSpan? UserCpu,
    TimeSpan? SystemCpu,
    long? PeakRssBytes,
    byte[] StdoutHead,
    byte[] StderrHead,
    long StdoutBytes,
    long StderrBytes,
    string StdoutSha256,
    bool OutputTruncated,
    bool LogTruncated,
    long? VoluntaryContextSwitches = null,
    long? InvoluntaryContextSwitches = null,
    TimeSpan? RunQueueWait = null)
{
    /// <summary>The kept stdout bytes decoded as UTF-8; invalid bytes become U+FFFD, never an exception.</summary>
    public string StdoutText => Encoding.UTF8.GetString(StdoutHead);

    public string StderrText => Encoding.UTF8.GetString(StderrHead);

    public bool Succeeded => ExitCode == 0 && !TimedOut && !Cancelled;

    /// <summary>Total CPU time (user + system), when known.</summary>
    public TimeSpan? TotalCpu => UserCpu + SystemCpu;

    internal static ProcessResult CancelledBeforeStart() =>
        new(-1, null, false, true, TimeSpan.Zero, null, null, null, [], [], 0, 0,
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(ReadOnlySpan<byte>.Empty)), false, false);
}
