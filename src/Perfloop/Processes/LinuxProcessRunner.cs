using System.Buffers;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using static Perfloop.Processes.LinuxNative;

namespace Perfloop.Processes;

/// <summary>
/// The Linux runner: posix_spawn puts the child in its own process group with pipes for its output, and one
/// dedicated thread supervises it with poll(2) over the pipes, a pidfd (exit) and an eventfd (cancellation).
/// Nothing blocks in read(2), so a grandchild that keeps a pipe open cannot hang a run, and the child is only
/// reaped (wait4, giving its exact rusage) after its group has been killed — while the unreaped zombie still
/// pins the group id, so the kill cannot hit an unrelated group that reused the number.
/// </summary>
static class LinuxProcessRunner
{
    public static Task<ProcessResult> RunAsync(CommandSpec spec, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromResult(ProcessResult.CancelledBeforeStart());
        }

        var completion = new TaskCompletionSource<ProcessResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        // The spawn happens on the supervising thread, which is already polling when a short child exits:
        // spawning first and starting the thread afterwards would add the thread's start-up to WallTime.
        var supervisor = new Thread(() =>
        {
            LinuxChild? child = null;
            try
            {
                child = LinuxChild.Start(spec);
                completion.SetResult(child.Supervise(cancellationToken));
            }
            catch (SpawnInterruptedException) when (LinuxChild.CancellationFollows(cancellationToken))
            {
                completion.SetResult(ProcessResult.CancelledBeforeStart());
            }
            catch (Exception exception)
            {
                completion.SetException(exception);
            }
            finally
            {
                child?.Dispose();
            }
        })
        {
            IsBackground = true,
            Name = "perfloop child supervisor",
        };
        supervisor.UnsafeStart();
        return completion.Task;
    }
}

/// <summary>One spawned child and the parent's ends of its pipes.</summary>
sealed unsafe class LinuxChild : IDisposable
{
    const int ReadChunkBytes = 64 * 1024;

    // Reads per wake-up and stream, so a fast writer on one pipe cannot starve the other or the exit check.
    const int MaxReadsPerWakeup = 16;

    static readonly TimeSpan AbandonOutputAfterKill = TimeSpan.FromMilliseconds(100);
    static readonly TimeSpan PollingIntervalWithoutPidfd = TimeSpan.FromMilliseconds(5);
    static bool closeFromUnavailable;

    readonly CommandSpec spec;
    readonly OutputCapture stdout;
    readonly OutputCapture stderr;
    readonly byte[]? stdinBytes;
    readonly long startTimestamp;

    // The launched job's scheduler counters at its release (null for a direct spawn, whose counters start at zero).
    readonly SchedulerTimes? schedulerAtStart;
    int stdoutFd;
    int stderrFd;
    int stdinFd;
    int stdinWritten;
    int pidFd;
    bool reaped;

    readonly string ownerToken;

    LinuxChild(CommandSpec spec, string ownerToken, OutputCapture stdout, OutputCapture stderr, byte[]? stdinBytes, int processId,
        int groupId, long startTimestamp, SchedulerTimes? schedulerAtStart, int stdoutFd, int stderrFd, int stdinFd)
    {
        this.schedulerAtStart = schedulerAtStart;
        this.spec = spec;
        this.ownerToken = ownerToken;
        this.stdout = stdout;
        this.stderr = stderr;
        this.stdinBytes = stdinBytes;
        ProcessId = processId;
        GroupId = groupId;
        this.startTimestamp = startTimestamp;
        this.stdoutFd = stdoutFd;
        this.stderrFd = stderrFd;
        this.stdinFd = stdinFd;
        // A pidfd turns "the child exited" into a pollable event (Linux 5.3+); without it we poll waitid.
        pidFd = (int)syscall(SYS_pidfd_open, processId, 0);
    }

    /// <summary>The process whose exit ends the run and whose rusage is reported.</summary>
    public int ProcessId { get; }

    /// <summary>The process group of the run (the spawned process's pid), signalled as a whole.</summary>
    public int GroupId { get; }

    public static LinuxChild Start(CommandSpec spec)
    {
        var workingDirectory = Path.GetFullPath(spec.WorkingDirectory);
        if (!Directory.Exists(workingDirectory))
        {
            throw new ProcessStartException(spec.FileName, $"working directory '{workingDirectory}' does not exist", ENOENT);
        }

        var environment = spec.BuildEnvironment();
        // Every process of this command, wherever it goes (setsid, double fork), carries the mark and is ended with it.
        ProcessOwnership.BecomeSubreaper();
        var mark = ProcessOwnership.NextMark();
        environment[ProcessOwnership.VariableName] = mark.Value;
        var executable = ResolveExecutable(spec.FileName, environment.GetValueOrDefault("PATH"), workingDirectory);
        var stdinBytes = spec.StandardInput is null ? null : Encoding.UTF8.GetBytes(spec.StandardInput);

        OutputCapture? stdout = null;
        OutputCapture? stderr = null;
        var fds = stackalloc int[6] { -1, -1, -1, -1, -1, -1 };
        try
        {
            stdout = new OutputCapture(spec.MemoryCapBytes, spec.StdoutLogPath, spec.LogCapBytes, computeHash: true, spec.OnStdoutLine);
            stderr = new OutputCapture(spec.MemoryCapBytes, spec.StderrLogPath, spec.LogCapBytes, computeHash: false, spec.OnStderrLine);
            CreatePipe(fds + 0);
            CreatePipe(fds + 2);
            if (stdinBytes is not null)
            {
                CreatePipe(fds + 4);
            }

            var argv = new List<string>(spec.Arguments.Count + 1) { spec.FileName };
            argv.AddRange(spec.Arguments);
            var envp = environment.Select(pair => pair.Key + "=" + pair.Value).ToList();
            int processId, groupId;
            long startTimestamp;
            SchedulerTimes? schedulerAtStart = null;
            if (spec.ExactPeakRss)
            {
                (processId, groupId, startTimestamp, schedulerAtStart) = ExactPeakRssLauncher.Launch(executable, argv,
                    (launcherArgv, launcherFds) => Spawn(spec.FileName, ExactPeakRssLauncher.Shell, workingDirectory, launcherArgv, envp,
                        stdoutWrite: fds[1], stderrWrite: fds[3], stdinRead: fds[4], launcherFds));
            }
            else
            {
                (processId, startTimestamp) = Spawn(spec.FileName, executable, workingDirectory, argv, envp,
                    stdoutWrite: fds[1], stderrWrite: fds[3], stdinRead: fds[4], extraFds: null);
                groupId = processId;
            }

            // The child has its own copies; the parent keeps only its ends, made non-blocking for the poll loop.
            CloseAndReset(ref fds[1]);
            CloseAndReset(ref fds[3]);
            CloseAndReset(ref fds[4]);
            SetNonBlocking(fds[0]);
            SetNonBlocking(fds[2]);
            if (fds[5] >= 0)
            {
                SetNonBlocking(fds[5]);
            }

            var child = new LinuxChild(spec, mark.Token, stdout, stderr, stdinBytes, processId, groupId, startTimestamp, schedulerAtStart, fds[0], fds[2], fds[5]);
            return child;
        }
        catch
        {
            for (var i = 0; i < 6; i++)
            {
                CloseAndReset(ref fds[i]);
            }

            stdout?.Dispose();
            stderr?.Dispose();
            throw;
        }
    }

    /// <summary>Runs the poll loop until the child has exited and its output is done, then reaps it.</summary>
    public ProcessResult Supervise(CancellationToken cancellationToken)
    {
        var cancelFd = -1;
        var registration = default(CancellationTokenRegistration);
        var buffer = ArrayPool<byte>.Shared.Rent(ReadChunkBytes);
        try
        {
            if (cancellationToken.CanBeCanceled)
            {
                cancelFd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
                if (cancelFd < 0)
                {
                    throw Failure("eventfd", LastErrno);
                }

                registration = cancellationToken.UnsafeRegister(static state => SignalEventFd((int)state!), cancelFd);
            }
            var outcome = PollUntilDone(cancelFd, buffer);
            stdout.Complete();
            stderr.Complete();
            registration.Dispose();
            // Only an exited, not yet reaped child still has its scheduler statistics in /proc.
            var schedulerAtExit = SchedulerTimes.Read(ProcessId);
            var (status, usage) = Reap();
            if (!outcome.Cancelled && status is { } raw && (raw & 0x7f) == SIGINT && CancellationFollows(cancellationToken))
            {
                // Spawned at the moment of a Ctrl-C, the child was still in Perfloop's group and died of it: an interruption.
                outcome = outcome with { Cancelled = true };
            }

            ExactPeakRssLauncher.ReapOrphanedMembers(GroupId);
            // Outside the timed window: whatever of the command left its group (setsid, daemons) ends here too.
            ProcessOwnership.EndCommand(ownerToken);
            (stdout.CallbackFailure ?? stderr.CallbackFailure)?.Throw();
            return BuildResult(outcome, status, usage, schedulerAtExit);
        }
        finally
        {
            registration.Dispose();
            if (cancelFd >= 0)
            {
                _ = close(cancelFd);
            }

            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Kills and reaps the child if supervision did not finish, and closes every fd.</summary>
    public void Dispose()
    {
        if (!reaped)
        {
            _ = kill(-GroupId, SIGKILL);
            int status;
            while (wait4(ProcessId, &status, 0, null) < 0 && LastErrno == EINTR)
            {
            }
            reaped = true;
            ExactPeakRssLauncher.ReapOrphanedMembers(GroupId);
            ProcessOwnership.EndCommand(ownerToken);
        }
        ProcessOwnership.Landed(GroupId);
        CloseAndReset(ref stdoutFd);
        CloseAndReset(ref stderrFd);
        CloseAndReset(ref stdinFd);
        CloseAndReset(ref pidFd);
        stdout.Dispose();
        stderr.Dispose();
    }

    readonly record struct Outcome(long ExitTimestamp, bool TimedOut, bool Cancelled);

    /// <summary>
    /// After a child died of SIGINT: whether Perfloop's own cancellation (its Ctrl-C handler) follows within a moment.
    /// A command that sends itself SIGINT with no Ctrl-C around waits this second once and stays a plain failure.
    /// </summary>
    internal static bool CancellationFollows(CancellationToken cancellationToken) =>
        cancellationToken.CanBeCanceled && (cancellationToken.IsCancellationRequested || cancellationToken.WaitHandle.WaitOne(TimeSpan.FromSeconds(1)));

    Outcome PollUntilDone(int cancelFd, byte[] buffer)
    {
        var timeoutDeadline = spec.Timeout == Timeout.InfiniteTimeSpan ? long.MaxValue : startTimestamp + ToTimestampTicks(spec.Timeout);
        var killDeadline = long.MaxValue;
        var leftoverDeadline = long.MaxValue;
        var abandonDeadline = long.MaxValue;
        var terminating = false;
        var timedOut = false;
        var cancelled = false;
        var exited = false;
        var leftoversKilled = false;
        long exitTimestamp = 0;
        var pollFds = stackalloc PollFd[5];

        if (stdinBytes is { Length: 0 })
        {
            CloseAndReset(ref stdinFd);
        }

        while (true)
        {
            var now = Stopwatch.GetTimestamp();
            if (!exited)
            {
                if (!terminating && now >= timeoutDeadline)
                {
                    timedOut = true;
                    terminating = true;
                    killDeadline = SignalGroupForTermination(now);
                }
                if (terminating && now >= killDeadline)
                {
                    _ = kill(-GroupId, SIGKILL);
                    killDeadline = long.MaxValue;
                }
            }
            else
            {
                var outputOpen = stdoutFd >= 0 || stderrFd >= 0;
                if (!leftoversKilled && (!outputOpen || now >= leftoverDeadline))
                {
                    // Whatever is left of the group (background jobs, daemons) must not outlive the command.
                    _ = kill(-GroupId, SIGKILL);
                    leftoversKilled = true;
                    abandonDeadline = now + ToTimestampTicks(AbandonOutputAfterKill);
                }
                if (!outputOpen || (leftoversKilled && now >= abandonDeadline))
                {
                    break;
                }
            }

            var count = 0;
            var stdoutIndex = AddPollFd(pollFds, ref count, stdoutFd, POLLIN);
            var stderrIndex = AddPollFd(pollFds, ref count, stderrFd, POLLIN);
            var stdinIndex = AddPollFd(pollFds, ref count, stdinFd, POLLOUT);
            var exitIndex = exited ? -1 : AddPollFd(pollFds, ref count, pidFd, POLLIN);
            var cancelIndex = exited || terminating ? -1 : AddPollFd(pollFds, ref count, cancelFd, POLLIN);

            var nextDeadline = exited
                ? (leftoversKilled ? abandonDeadline : leftoverDeadline)
                : (terminating ? killDeadline : timeoutDeadline);
            var waitMilliseconds = MillisecondsUntil(nextDeadline, now);
            if (!exited && pidFd < 0)
            {
                waitMilliseconds = waitMilliseconds < 0 ? (int)PollingIntervalWithoutPidfd.TotalMilliseconds : Math.Min(waitMilliseconds, (int)PollingIntervalWithoutPidfd.TotalMilliseconds);
            }

            if (poll(pollFds, (nuint)count, waitMilliseconds) < 0)
            {
                var errno = LastErrno;
                if (errno == EINTR)
                {
                    continue;
                }

                throw Failure("poll", errno);
            }

            if (IsReady(pollFds, stdinIndex))
            {
                WriteStdin();
            }

            if (IsReady(pollFds, stdoutIndex))
            {
                Drain(ref stdoutFd, stdout, buffer);
            }

            if (IsReady(pollFds, stderrIndex))
            {
                Drain(ref stderrFd, stderr, buffer);
            }

            if (IsReady(pollFds, cancelIndex) && !terminating)
            {
                cancelled = true;
                terminating = true;
                killDeadline = SignalGroupForTermination(Stopwatch.GetTimestamp());
            }
            if (!exited && (pidFd >= 0 ? IsReady(pollFds, exitIndex) : HasExitedWithoutReaping()))
            {
                exited = true;
                exitTimestamp = Stopwatch.GetTimestamp();
                // After a timeout or cancellation there is nothing left worth waiting for.
                leftoverDeadline = terminating ? exitTimestamp : exitTimestamp + ToTimestampTicks(spec.LeftoverOutputWait);
                CloseAndReset(ref stdinFd);
            }
        }

        // Output still open here belongs to processes outside our reach (they left the group); stop reading.
        CloseAndReset(ref stdoutFd);
        CloseAndReset(ref stderrFd);
        return new Outcome(exitTimestamp, timedOut, cancelled);
    }

    long SignalGroupForTermination(long now)
    {
        _ = kill(-GroupId, SIGTERM);
        return now + ToTimestampTicks(spec.TerminationGracePeriod);
    }

    void Drain(ref int fd, OutputCapture capture, byte[] buffer)
    {
        fixed (byte* bufferPointer = buffer)
        {
            for (var i = 0; i < MaxReadsPerWakeup && fd >= 0; i++)
            {
                var bytesRead = read(fd, bufferPointer, buffer.Length);
                if (bytesRead > 0)
                {
                    capture.Append(new ReadOnlySpan<byte>(bufferPointer, (int)bytesRead));
                    continue;
                }
                if (bytesRead < 0)
                {
                    var errno = LastErrno;
                    if (errno == EINTR)
                    {
                        continue;
                    }

                    if (errno == EAGAIN)
                    {
                        return;
                    }
                }
                // End of stream (or a read error, which we treat the same: nothing more will come).
                CloseAndReset(ref fd);
            }
        }
    }

    void WriteStdin()
    {
        var bytes = stdinBytes!;
        fixed (byte* pointer = bytes)
        {
            while (stdinFd >= 0 && stdinWritten < bytes.Length)
            {
                var written = write(stdinFd, pointer + stdinWritten, bytes.Length - stdinWritten);
                if (written >= 0)
                {
                    stdinWritten += (int)written;
                    continue;
                }
                var errno = LastErrno;
                if (errno == EINTR)
                {
                    continue;
                }

                if (errno == EAGAIN)
                {
                    return;
                }
                // EPIPE: the child closed stdin without reading it all; that is its business.
                CloseAndReset(ref stdinFd);
            }
        }
        CloseAndReset(ref stdinFd);
    }

    bool HasExitedWithoutReaping()
    {
        var info = stackalloc byte[SiginfoBytes];
        new Span<byte>(info, SiginfoBytes).Clear();
        // si_signo (the first int) stays 0 unless a state change of our child was found.
        return waitid(P_PID, ProcessId, info, WEXITED | WNOHANG | WNOWAIT) == 0 && *(int*)info != 0;
    }

    (int? Status, ResourceUsage? Usage) Reap()
    {
        int status;
        ResourceUsage usage;
        while (true)
        {
            if (wait4(ProcessId, &status, 0, &usage) == ProcessId)
            {
                reaped = true;
                return (status, usage);
            }
            var errno = LastErrno;
            if (errno == EINTR)
            {
                continue;
            }
            // ECHILD: someone else reaped it (a foreign SIGCHLD handler); exit status and usage are lost.
            reaped = true;
            return (null, null);
        }
    }

    ProcessResult BuildResult(Outcome outcome, int? status, ResourceUsage? usage, SchedulerTimes? schedulerAtExit)
    {
        var exitCode = -1;
        int? signal = null;
        if (status is { } raw)
        {
            var terminationSignal = raw & 0x7f;
            if (terminationSignal == 0)
            {
                exitCode = (raw >> 8) & 0xff;
            }
            else
            {
                signal = terminationSignal;
                exitCode = 128 + terminationSignal;
            }
        }
        var cpu = CommandCpu(usage);
        // A direct spawn's counters start at zero with the timing; a launched job's at its release.
        TimeSpan? runQueueWait = usage is not null && schedulerAtExit is { } atExit && (schedulerAtStart is not null || !spec.ExactPeakRss)
            ? TimeSpan.FromTicks(Math.Max(0, atExit.WaitNanoseconds - (schedulerAtStart?.WaitNanoseconds ?? 0)) / 100)
            : null;
        return new ProcessResult(
            ExitCode: exitCode,
            Signal: signal,
            TimedOut: outcome.TimedOut,
            Cancelled: outcome.Cancelled,
            WallTime: Stopwatch.GetElapsedTime(startTimestamp, outcome.ExitTimestamp),
            UserCpu: cpu.User,
            SystemCpu: cpu.System,
            PeakRssBytes: spec.ExactPeakRss ? usage?.MaxRssKib * 1024 : OwnPeakRss(usage),
            StdoutHead: stdout.Head(),
            StderrHead: stderr.Head(),
            StdoutBytes: stdout.TotalBytes,
            StderrBytes: stderr.TotalBytes,
            StdoutSha256: stdout.Sha256Hex(),
            OutputTruncated: stdout.HeadTruncated || stderr.HeadTruncated,
            LogTruncated: stdout.LogTruncated || stderr.LogTruncated,
            VoluntaryContextSwitches: usage?.VoluntaryContextSwitches,
            InvoluntaryContextSwitches: usage?.InvoluntaryContextSwitches,
            RunQueueWait: runQueueWait);
    }

    /// <summary>
    /// The command's own CPU time. A job of the exact-RSS launcher ran a shell before its release (~1 ms here); its
    /// main thread's CPU at the release is taken off, user and system in proportion, so cpu_ms starts with the timing.
    /// </summary>
    (TimeSpan? User, TimeSpan? System) CommandCpu(ResourceUsage? usage)
    {
        if (usage is not { } known)
        {
            return (null, null);
        }

        var user = known.UserTime.ToTimeSpan();
        var system = known.SystemTime.ToTimeSpan();
        var total = user + system;
        if (schedulerAtStart is not { RunNanoseconds: > 0 } atStart || total <= TimeSpan.Zero)
        {
            return (user, system);
        }

        var keep = Math.Max(0, total.Ticks - (atStart.RunNanoseconds / 100)) / (double)total.Ticks;
        return (TimeSpan.FromTicks((long)(user.Ticks * keep)), TimeSpan.FromTicks((long)(system.Ticks * keep)));
    }

    /// <summary>
    /// The child's ru_maxrss when it is really the child's. Linux records the old address space's peak at
    /// exec, and posix_spawn's child runs on Perfloop's address space until its exec, so ru_maxrss is never
    /// below Perfloop's own peak RSS (<see cref="ExactPeakRssLauncher"/> avoids this where it matters). A value above our peak (read now; it only grows) is the child's own and
    /// exact; anything else cannot be told apart from our memory and is reported as unknown.
    /// </summary>
    static long? OwnPeakRss(ResourceUsage? usage)
    {
        if (usage is not { } known)
        {
            return null;
        }

        var childPeak = known.MaxRssKib * 1024;
        var spawnerPeak = ReadOwnPeakRssBytes();
        return spawnerPeak is { } floor && childPeak > floor ? childPeak : null;
    }

    static long? ReadOwnPeakRssBytes()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                // "VmHWM:	   94040 kB"
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), System.Globalization.CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }
        return null;
    }

    /// <summary>posix_spawn with the pipes in place; <paramref name="extraFds"/> (parent fds) become the child's fds 3, 4, ….</summary>
    internal static (int ProcessId, long StartTimestamp) Spawn(string displayName, string executable, string workingDirectory,
        List<string> argv, List<string> envp, int stdoutWrite, int stderrWrite, int stdinRead, IReadOnlyList<int>? extraFds)
    {
        var fileActions = NativeMemory.AllocZeroed(OpaqueSpawnStructBytes);
        var attributes = NativeMemory.AllocZeroed(OpaqueSpawnStructBytes);
        var signalMask = NativeMemory.AllocZeroed(OpaqueSigsetBytes);
        var defaultSignals = NativeMemory.AllocZeroed(OpaqueSigsetBytes);
        byte* executablePath = null, directoryPath = null, devNull = null;
        byte** nativeArgv = null, nativeEnvp = null;
        var fileActionsReady = false;
        var attributesReady = false;
        try
        {
            executablePath = AllocateUtf8(executable);
            directoryPath = AllocateUtf8(workingDirectory);
            devNull = AllocateUtf8("/dev/null");
            nativeArgv = AllocateUtf8Array(argv);
            nativeEnvp = AllocateUtf8Array(envp);

            Check(posix_spawn_file_actions_init(fileActions), "posix_spawn_file_actions_init");
            fileActionsReady = true;
            Check(stdinRead >= 0
                ? posix_spawn_file_actions_adddup2(fileActions, stdinRead, 0)
                : posix_spawn_file_actions_addopen(fileActions, 0, devNull, O_RDONLY, 0), "stdin file action");
            Check(posix_spawn_file_actions_adddup2(fileActions, stdoutWrite, 1), "stdout file action");
            Check(posix_spawn_file_actions_adddup2(fileActions, stderrWrite, 2), "stderr file action");
            Check(posix_spawn_file_actions_addchdir_np(fileActions, directoryPath), "chdir file action");
            var nextFd = 3;
            foreach (var fd in extraFds ?? [])
            {
                Check(posix_spawn_file_actions_adddup2(fileActions, fd, nextFd++), "handshake file action");
            }

            AddCloseFrom(fileActions, nextFd);

            Check(posix_spawnattr_init(attributes), "posix_spawnattr_init");
            attributesReady = true;
            // Own process group (pgid = pid) so the whole tree can be signalled; an empty signal mask and
            // default dispositions because the .NET runtime blocks or ignores some signals (SIGPIPE) and
            // ignored dispositions would otherwise be inherited across exec.
            Check(posix_spawnattr_setflags(attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF), "posix_spawnattr_setflags");
            Check(posix_spawnattr_setpgroup(attributes, 0), "posix_spawnattr_setpgroup");
            _ = sigemptyset(signalMask);
            Check(posix_spawnattr_setsigmask(attributes, signalMask), "posix_spawnattr_setsigmask");
            _ = sigemptyset(defaultSignals);
            for (var signal = 1; signal <= LastSignal; signal++)
            {
                if (signal is not SIGKILL and not SIGSTOP)
                {
                    _ = sigaddset(defaultSignals, signal); // fails harmlessly for libc-internal signals
                }
            }
            Check(posix_spawnattr_setsigdefault(attributes, defaultSignals), "posix_spawnattr_setsigdefault");

            int processId;
            long startTimestamp;
            int error;
            lock (ProcessOwnership.SpawnLock)
            {
                startTimestamp = Stopwatch.GetTimestamp();
                error = posix_spawn(&processId, executablePath, fileActions, attributes, nativeArgv, nativeEnvp);
                if (error == 0)
                {
                    ProcessOwnership.InFlight(processId);
                }
            }
            if (error != 0)
            {
                throw new ProcessStartException(displayName, Describe(error), error);
            }

            return (processId, startTimestamp);
        }
        finally
        {
            if (fileActionsReady)
            {
                _ = posix_spawn_file_actions_destroy(fileActions);
            }

            if (attributesReady)
            {
                _ = posix_spawnattr_destroy(attributes);
            }

            NativeMemory.Free(fileActions);
            NativeMemory.Free(attributes);
            NativeMemory.Free(signalMask);
            NativeMemory.Free(defaultSignals);
            NativeMemory.Free(executablePath);
            NativeMemory.Free(directoryPath);
            NativeMemory.Free(devNull);
            FreeUtf8Array(nativeArgv);
            FreeUtf8Array(nativeEnvp);
        }
    }

    /// <summary>
    /// Closes every fd above stderr in the child. Our own fds are CLOEXEC, but fds Perfloop inherited without
    /// CLOEXEC (from a shell, CI runner or test host) would otherwise leak into every command.
    /// </summary>
    static void AddCloseFrom(void* fileActions, int lowFd)
    {
        if (closeFromUnavailable)
        {
            return;
        }

        try
        {
            Check(posix_spawn_file_actions_addclosefrom_np(fileActions, lowFd), "closefrom file action");
        }
        catch (EntryPointNotFoundException)
        {
            closeFromUnavailable = true; // glibc < 2.34: rely on CLOEXEC alone
        }
    }

    /// <summary>
    /// execvp's search, done here so that the child's PATH (not Perfloop's) is used and a missing program is
    /// reported before anything is spawned.
    /// </summary>
    static string ResolveExecutable(string fileName, string? path, string workingDirectory) =>
        fileName.Contains('/', StringComparison.Ordinal)
            ? Path.Combine(workingDirectory, fileName)
            : FindOnPath(fileName, path, workingDirectory) ?? throw new ProcessStartException(fileName, Describe(ENOENT), ENOENT);

    /// <summary>The executable file <paramref name="fileName"/> names, as execvp would find it, or null.</summary>
    internal static string? TryResolveExecutable(string fileName, string? path, string workingDirectory)
    {
        if (!fileName.Contains('/', StringComparison.Ordinal))
        {
            return FindOnPath(fileName, path, workingDirectory);
        }

        var candidate = Path.Combine(workingDirectory, fileName);
        return IsExecutableFile(candidate) ? candidate : null;
    }

    static string? FindOnPath(string fileName, string? path, string workingDirectory)
    {
        foreach (var directory in (path ?? "/usr/local/bin:/usr/bin:/bin").Split(':'))
        {
            var candidate = Path.Combine(workingDirectory, directory.Length == 0 ? "." : directory, fileName);
            if (IsExecutableFile(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    static bool IsExecutableFile(string candidate)
    {
        if (!File.Exists(candidate))
        {
            return false;
        }

        var nativePath = AllocateUtf8(candidate);
        try
        {
            return access(nativePath, X_OK) == 0;
        }
        finally
        {
            NativeMemory.Free(nativePath);
        }
    }

    static void CreatePipe(int* fds)
    {
        if (pipe2(fds, O_CLOEXEC) != 0)
        {
            throw Failure("pipe2", LastErrno);
        }
    }

    static void SetNonBlocking(int fd)
    {
        var flags = fcntl(fd, F_GETFL, 0);
        if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
        {
            throw Failure("fcntl", LastErrno);
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

    static void SignalEventFd(int fd)
    {
        ulong one = 1;
        _ = write(fd, (byte*)&one, sizeof(ulong));
    }

    static int AddPollFd(PollFd* pollFds, ref int count, int fd, short events)
    {
        if (fd < 0)
        {
            return -1;
        }

        pollFds[count] = new PollFd { Fd = fd, Events = events };
        return count++;
    }

    static bool IsReady(PollFd* pollFds, int index) => index >= 0 && pollFds[index].Revents != 0;

    static long ToTimestampTicks(TimeSpan duration) =>
        duration.Ticks >= long.MaxValue / Stopwatch.Frequency
            ? long.MaxValue / 4
            : (long)(duration.Ticks * (Stopwatch.Frequency / (double)TimeSpan.TicksPerSecond));

    static int MillisecondsUntil(long deadline, long now)
    {
        if (deadline == long.MaxValue)
        {
            return -1;
        }

        if (deadline <= now)
        {
            return 0;
        }

        var milliseconds = Math.Ceiling((deadline - now) * 1000.0 / Stopwatch.Frequency);
        return milliseconds >= int.MaxValue ? int.MaxValue : (int)milliseconds;
    }

    static void Check(int error, string what)
    {
        if (error != 0)
        {
            throw Failure(what, error);
        }
    }

    static byte* AllocateUtf8(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        var pointer = (byte*)NativeMemory.Alloc((nuint)length + 1);
        Encoding.UTF8.GetBytes(value, new Span<byte>(pointer, length));
        pointer[length] = 0;
        return pointer;
    }

    static byte** AllocateUtf8Array(List<string> values)
    {
        var array = (byte**)NativeMemory.AllocZeroed((nuint)values.Count + 1, (nuint)sizeof(byte*));
        for (var i = 0; i < values.Count; i++)
        {
            array[i] = AllocateUtf8(values[i]);
        }

        return array;
    }

    static void FreeUtf8Array(byte** array)
    {
        if (array is null)
        {
            return;
        }

        for (var entry = array; *entry is not null; entry++)
        {
            NativeMemory.Free(*entry);
        }

        NativeMemory.Free(array);
    }
}
