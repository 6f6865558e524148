using System.Diagnostics;
using System.Globalization;
using System.Text;
using static Perfloop.Processes.LinuxNative;

namespace Perfloop.Processes;

/// <summary>
/// Starts a command so that wait4's ru_maxrss is the command's own peak RSS, however small.
/// <para>
/// Why a plain spawn cannot: at exec, Linux folds the peak RSS of the address space being left into the
/// process's ru_maxrss (fs/exec.c, <c>setmax_mm_hiwater_rss(&amp;tsk-&gt;signal-&gt;maxrss, old_mm)</c>), and
/// posix_spawn's child (clone with CLONE_VM|CLONE_VFORK) leaves Perfloop's address space, so every direct
/// child reports at least Perfloop's own peak. A fork leaves a copy of it, no better; <c>sh -c 'exec cmd'</c>
/// or <c>sh -c 'cmd'</c> still report Perfloop's peak, because the maximum sticks to the process for life
/// (measured: a 5 MB program reported 206 MB under a 200 MB parent in all three forms).
/// </para>
/// <para>
/// What works: a process forked by a small shell carries only the shell's ~1-2 MB at its exec. So a launcher
/// shell starts the command as a background job, prints its pid and exits; Perfloop, a child subreaper,
/// inherits the orphaned job and reaps it itself, getting its exact rusage (CPU too, without the launcher's).
/// The job waits on a pipe until Perfloop has adopted it, so it cannot finish (and be reaped by the launcher)
/// too early, and the measured wall time starts when it is released, excluding the launcher. Measured: the
/// same 5 MB program reports 6.2 MB under a 200 MB parent. Cost: two shell starts and env (~3 ms) outside the
/// timing; the job says "ready" only when the release is all that stands between it and the command's exec.
/// </para>
/// <para>
/// Side effects, accepted and contained: being a subreaper is process-wide, so orphans of any later command
/// are re-parented to Perfloop; the runner reaps those of the run's process group after killing it. A shell's
/// background job starts with SIGINT and SIGQUIT ignored; the job restores them through
/// <c>env --default-signal</c> (coreutils 8.31+) where available. The program's argv[0] is its resolved path.
/// </para>
/// </summary>
static unsafe class ExactPeakRssLauncher
{
    public const string Shell = "/bin/sh";

    // $1… = the resolved program and its arguments. fd 3: release pipe (read), fd 4: report pipe (write): the
    // launcher writes the job's pid there, the job "ready" once nothing but the release stands before its exec.
    // stdin travels through fd 5 because a background job's stdin is /dev/null (dash ignores a `<&0` on it).
    // Everything slow (the env check, env's exec, a fresh shell) happens before "ready", so the timing that starts
    // at the release holds only a pipe wake-up and the command's own exec (measured: 2.4 → 0.8 ms on /bin/true).
    const string Script =
        "exec 5<&0\n" +
        "wait_then_run='echo ready >&4; exec 4>&-; read -r release <&3 || exit 125; exec 3<&-; exec \"$@\"'\n" +
        "reset=; if env --default-signal=INT,QUIT true 2>/dev/null; then reset=yes; fi\n" +
        "{ exec 0<&5 5<&-; " +
        "if [ -n \"$reset\" ]; then exec env --default-signal=INT,QUIT " + Shell + " -c \"$wait_then_run\" perfloop-job \"$@\"; fi; " +
        "eval \"$wait_then_run\"; } &\n" +
        "echo \"$!\" >&4\n";

    static readonly TimeSpan LauncherTimeout = TimeSpan.FromSeconds(30);
    static readonly TimeSpan OrphanReapBudget = TimeSpan.FromMilliseconds(500);

    /// <summary>Spawns the launcher through <paramref name="spawn"/>, adopts the job and releases it.</summary>
    /// <returns>The job's pid (to wait for and reap), the process group (the launcher's pid), the start of the timing,
    /// and the job's scheduler counters just before its release (its shell's CPU and run-queue time, not the command's).</returns>
    public static (int ProcessId, int GroupId, long StartTimestamp, SchedulerTimes? BeforeRelease) Launch(
        string executable,
        IReadOnlyList<string> argv,
        Func<List<string>, IReadOnlyList<int>, (int ProcessId, long StartTimestamp)> spawn)
    {
        ProcessOwnership.BecomeSubreaper();
        var fds = stackalloc int[4] { -1, -1, -1, -1 };
        var launcherId = -1;
        var launcherReaped = false;
        try
        {
            CreateHighPipe(fds + 0); // [0] release read (child fd 3), [1] release write (ours)
            CreateHighPipe(fds + 2); // [2] pid read (ours), [3] pid write (child fd 4)
            var launcherArgv = new List<string>(argv.Count + 4) { Shell, "-c", Script, "perfloop-launch", executable };
            launcherArgv.AddRange(argv.Skip(1));
            (launcherId, _) = spawn(launcherArgv, [fds[0], fds[3]]);
            CloseAndReset(ref fds[0]);
            CloseAndReset(ref fds[3]);

            var (jobId, ready) = ReadReport(fds[2]);
            var status = ReapLauncher(launcherId);
            launcherReaped = true;
            if (jobId <= 0 || !ready || status != 0)
            {
                // Killed by SIGINT: spawned at the moment of a Ctrl-C, it was still in Perfloop's process group.
                var message = $"the launcher shell {Shell} failed (status {status}) before starting the command";
                throw (status & 0x7f) == SIGINT ? new SpawnInterruptedException(message) : new IOException(message);
            }

            // The job is blocked reading the release pipe: its counters hold only the shell's work, to be taken off.
            var beforeRelease = SchedulerTimes.Read(jobId);
            var start = Stopwatch.GetTimestamp();
            var release = "go\n"u8;
            fixed (byte* pointer = release)
            {
                if (write(fds[1], pointer, release.Length) != release.Length)
                {
                    throw Failure("write to the launched job", LastErrno);
                }
            }
            CloseAndReset(ref fds[1]);
            CloseAndReset(ref fds[2]);
            // The job stays in the launcher's process group (sh -c has no job control): its id is the launcher's pid.
            return (jobId, launcherId, start, beforeRelease);
        }
        catch
        {
            // Closing the release pipe makes a waiting job exit by itself; the kill covers everything else.
            for (var i = 0; i < 4; i++)
            {
                CloseAndReset(ref fds[i]);
            }

            if (launcherId > 0)
            {
                _ = kill(-launcherId, SIGKILL);
                if (!launcherReaped)
                {
                    _ = ReapLauncher(launcherId);
                }

                ReapOrphanedMembers(launcherId);
                ProcessOwnership.Landed(launcherId);
            }
            throw;
        }
    }

    /// <summary>
    /// Reaps members of a finished run's process group that were orphaned onto Perfloop (a subreaper), so they
    /// do not linger as zombies. Only waits while such members are still dying from the group kill.
    /// </summary>
    public static void ReapOrphanedMembers(int groupId)
    {
        if (!ProcessOwnership.IsSubreaper || groupId <= 0)
        {
            return;
        }

        var info = stackalloc byte[SiginfoBytes];
        var deadline = Stopwatch.GetTimestamp() + (long)(OrphanReapBudget.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            new Span<byte>(info, SiginfoBytes).Clear();
            if (waitid(P_PGID, groupId, info, WEXITED | WNOHANG) != 0)
            {
                if (LastErrno == EINTR)
                {
                    continue;
                }

                return; // ECHILD: no child of ours left in the group
            }
            if (*(int*)info != 0)
            {
                continue; // reaped one; look for more
            }

            if (Stopwatch.GetTimestamp() >= deadline)
            {
                return;
            }

            Thread.Sleep(1);
        }
    }

    /// <summary>
    /// Reads the report pipe until it holds both the launcher's line (the job's pid) and the job's "ready", in
    /// either order, or every writer has closed it (a job that died early: not ready).
    /// </summary>
    static (int JobId, bool Ready) ReadReport(int fd)
    {
        var text = new StringBuilder();
        var buffer = stackalloc byte[32];
        var deadline = Stopwatch.GetTimestamp() + (long)(LauncherTimeout.TotalSeconds * Stopwatch.Frequency);
        var jobId = -1;
        var ready = false;
        while (jobId <= 0 || !ready)
        {
            var remaining = (deadline - Stopwatch.GetTimestamp()) * 1000 / Stopwatch.Frequency;
            if (remaining <= 0)
            {
                throw new IOException($"the launcher shell {Shell} did not report the command's pid within {LauncherTimeout.TotalSeconds:0}s");
            }

            var poll = new PollFd { Fd = fd, Events = POLLIN };
            if (LinuxNative.poll(&poll, 1, (int)remaining) < 0 && LastErrno != EINTR)
            {
                throw Failure("poll", LastErrno);
            }

            if (poll.Revents == 0)
            {
                continue;
            }

            var count = read(fd, buffer, 32);
            if (count < 0 && LastErrno == EINTR)
            {
                continue;
            }

            if (count <= 0)
            {
                break;
            }

            text.Append(Encoding.ASCII.GetString(buffer, (int)count));
            foreach (var line in text.ToString().Split('\n')[..^1])
            {
                if (line == "ready")
                {
                    ready = true;
                }
                else if (int.TryParse(line.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                {
                    jobId = id;
                }
            }
        }
        return (jobId, ready);
    }

    static int ReapLauncher(int launcherId)
    {
        int status;
        while (wait4(launcherId, &status, 0, null) < 0)
        {
            if (LastErrno != EINTR)
            {
                return -1;
            }
        }
        return status;
    }

    /// <summary>A CLOEXEC pipe whose fds are above 4, so dup2 onto fds 3 and 4 in the child cannot clobber them.</summary>
    static void CreateHighPipe(int* fds)
    {
        if (pipe2(fds, O_CLOEXEC) != 0)
        {
            throw Failure("pipe2", LastErrno);
        }

        for (var i = 0; i < 2; i++)
        {
            if (fds[i] > 4)
            {
                continue;
            }

            var high = fcntl(fds[i], F_DUPFD_CLOEXEC, 10);
            var errno = LastErrno;
            _ = close(fds[i]);
            fds[i] = high;
            if (high < 0)
            {
                throw Failure("fcntl(F_DUPFD_CLOEXEC)", errno);
            }
        }
    }

    static void CloseAndReset(ref int fd)
    {
        if (fd < 0)
        {
            return;
        }

        _ = close(fd);
        fd = -1;
    }
}

/// <summary>
/// A child died of SIGINT before it could leave Perfloop's process group (posix_spawn sets the child's group just before
/// its exec, so a Ctrl-C at that moment reaches it too). When Perfloop's own cancellation follows, it is that interruption.
/// </summary>
sealed class SpawnInterruptedException(string message) : IOException(message);
