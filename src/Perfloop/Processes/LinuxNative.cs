using System.Runtime.InteropServices;

namespace Perfloop.Processes;

/// <summary>
/// The libc calls the Linux runner needs. Constants and layouts are those of 64-bit Linux (x86-64 and arm64
/// share them); the runner is only used there.
/// </summary>
static unsafe partial class LinuxNative
{
    const string Libc = "libc";

    public const int ESRCH = 3;
    public const int EINTR = 4;
    public const int ECHILD = 10;
    public const int EAGAIN = 11;
    public const int ENOENT = 2;
    public const int EPIPE = 32;

    public const int O_RDONLY = 0;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;
    public const int F_GETFL = 3;
    public const int F_SETFL = 4;
    public const int X_OK = 1;

    public const short POLLIN = 0x1;
    public const short POLLOUT = 0x4;
    public const short POLLERR = 0x8;
    public const short POLLHUP = 0x10;
    public const short POLLNVAL = 0x20;

    public const short POSIX_SPAWN_SETPGROUP = 0x02;
    public const short POSIX_SPAWN_SETSIGDEF = 0x04;
    public const short POSIX_SPAWN_SETSIGMASK = 0x08;

    public const int SIGINT = 2;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    public const int SIGSTOP = 19;
    public const int LastSignal = 64;

    public const int WNOHANG = 1;
    public const int WEXITED = 4;
    public const int WNOWAIT = 0x01000000;
    public const int P_PID = 1;
    public const int P_PGID = 2;
    public const int F_DUPFD_CLOEXEC = 1030;
    public const int PR_SET_CHILD_SUBREAPER = 36;

    public const int EFD_NONBLOCK = 0x800;
    public const int EFD_CLOEXEC = 0x80000;

    public const long SYS_pidfd_open = 434;

    // glibc's posix_spawn_file_actions_t is 80 bytes, posix_spawnattr_t 336, sigset_t 128; musl's are smaller.
    // Opaque buffers with room to spare keep this independent of the exact libc.
    public const int OpaqueSpawnStructBytes = 1024;
    public const int OpaqueSigsetBytes = 256;
    public const int SiginfoBytes = 128;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct TimeVal
    {
        public long Seconds;
        public long Microseconds;

        public readonly TimeSpan ToTimeSpan() => TimeSpan.FromTicks((Seconds * TimeSpan.TicksPerSecond) + (Microseconds * TimeSpan.TicksPerMicrosecond));
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct ResourceUsage
    {
        public TimeVal UserTime;
        public TimeVal SystemTime;

        /// <summary>Peak resident set size in KiB.</summary>
        public long MaxRssKib;

        // ru_ixrss … ru_nsignals: unused (most are always zero on Linux).
        public fixed long Unused[11];

        /// <summary>ru_nvcsw: the process gave up the CPU itself (blocked on I/O, a lock, a sleep).</summary>
        public long VoluntaryContextSwitches;

        /// <summary>ru_nivcsw: the scheduler took the CPU away (time slice over, a higher-priority task woke).</summary>
        public long InvoluntaryContextSwitches;
    }

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int pipe2(int* fds, int flags);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial nint read(int fd, byte* buffer, nint count);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial nint write(int fd, byte* buffer, nint count);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int poll(PollFd* fds, nuint count, int timeoutMilliseconds);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int fcntl(int fd, int command, int argument);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int kill(int pid, int signal);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int wait4(int pid, int* status, int options, ResourceUsage* usage);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int waitid(int idType, int id, void* info, int options);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial long syscall(long number, long argument1, long argument2);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int prctl(int option, nuint argument2, nuint argument3, nuint argument4, nuint argument5);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int eventfd(uint initialValue, int flags);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int access(byte* path, int mode);

    // posix_spawn* return an error number instead of setting errno.
    [LibraryImport(Libc)]
    public static partial int posix_spawn(int* pid, byte* path, void* fileActions, void* attributes, byte** argv, byte** envp);

    [LibraryImport(Libc)]
    public static partial int posix_spawn_file_actions_init(void* fileActions);

    [LibraryImport(Libc)]
    public static partial int posix_spawn_file_actions_destroy(void* fileActions);

    [LibraryImport(Libc)]
    public static partial int posix_spawn_file_actions_adddup2(void* fileActions, int fd, int newFd);

    [LibraryImport(Libc)]
    public static partial int posix_spawn_file_actions_addopen(void* fileActions, int fd, byte* path, int flags, int mode);

    [LibraryImport(Libc)]
    public static partial int posix_spawn_file_actions_addchdir_np(void* fileActions, byte* path);

    [LibraryImport(Libc)]
    public static partial int posix_spawn_file_actions_addclosefrom_np(void* fileActions, int lowFd);

    [LibraryImport(Libc)]
    public static partial int posix_spawnattr_init(void* attributes);

    [LibraryImport(Libc)]
    public static partial int posix_spawnattr_destroy(void* attributes);

    [LibraryImport(Libc)]
    public static partial int posix_spawnattr_setflags(void* attributes, short flags);

    [LibraryImport(Libc)]
    public static partial int posix_spawnattr_setpgroup(void* attributes, int processGroup);

    [LibraryImport(Libc)]
    public static partial int posix_spawnattr_setsigmask(void* attributes, void* signalSet);

    [LibraryImport(Libc)]
    public static partial int posix_spawnattr_setsigdefault(void* attributes, void* signalSet);

    [LibraryImport(Libc)]
    public static partial int sigemptyset(void* signalSet);

    [LibraryImport(Libc)]
    public static partial int sigaddset(void* signalSet, int signal);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial nint readlink(byte* path, byte* buffer, nint size);

    /// <summary>A symlink's target for a path given as raw bytes (a name that is not UTF-8); null when it is no symlink.</summary>
    public static string? ReadLink(ReadOnlySpan<byte> path)
    {
        var terminated = new byte[path.Length + 1];
        path.CopyTo(terminated);
        var buffer = new byte[4096];
        fixed (byte* pathPointer = terminated)
        fixed (byte* bufferPointer = buffer)
        {
            var length = readlink(pathPointer, bufferPointer, buffer.Length);
            return length < 0 ? null : System.Text.Encoding.UTF8.GetString(buffer, 0, (int)length);
        }
    }

    public const int LOCK_SH = 1;
    public const int LOCK_EX = 2;
    public const int LOCK_NB = 4;
    public const int LOCK_UN = 8;

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int flock(int fd, int operation);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int open(byte* path, int flags);

    /// <summary>Takes a shared flock on an open file for as long as it stays open (released by the kernel when the process dies).</summary>
    public static void HoldSharedFlock(Microsoft.Win32.SafeHandles.SafeFileHandle handle)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            _ = flock((int)handle.DangerousGetHandle(), LOCK_SH | LOCK_NB);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>True when some process holds a flock on <paramref name="path"/>, false when none does, null when it cannot be told.</summary>
    public static bool? FlockHeld(string path)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        int fd;
        fixed (byte* pointer = bytes)
        {
            fd = open(pointer, O_RDONLY | O_CLOEXEC);
        }

        if (fd < 0)
        {
            return null;
        }

        try
        {
            if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            {
                return false;
            }

            return LastErrno == EAGAIN ? true : null;
        }
        finally
        {
            _ = close(fd);
        }
    }

    public static int LastErrno => Marshal.GetLastPInvokeError();

    public static string Describe(int errno) => Marshal.GetPInvokeErrorMessage(errno);

    public static IOException Failure(string call, int errno) => new($"{call} failed: {Describe(errno)} (errno {errno})");
}
