using System.Diagnostics;
using System.Globalization;
using Perfloop.Configuration;
using Perfloop.Errors;
using Perfloop.Processes;

namespace Perfloop.Safety;

/// <summary>
/// One loop per repository: <c>.perfloop/lock</c> names the holder's PID, host, start time and loop id, and the holder
/// keeps a shared flock on it for its whole life. A second holder is refused; a lock nobody holds any more (its process
/// is gone, or the file is damaged) is taken over with a notice — and whatever the dead loop left running (a hung
/// benchmark, a setsid daemon) is ended first, found by its loop id (<see cref="ProcessOwnership"/>).
/// </summary>
public sealed class RepositoryLock : IDisposable
{
    readonly FileStream stream;

    RepositoryLock(FileStream stream) => this.stream = stream;

    /// <summary>The notice to show when a stale lock was taken over, else null.</summary>
    public string? TakeOverNotice { get; private init; }

    public static string PathIn(string repositoryRoot) => Path.Combine(PerfloopPaths.StateDirectory(repositoryRoot), "lock");

    /// <summary>What a lock file says about its holder; fields it does not hold (or holds damaged) are null.</summary>
    public sealed record Holder(int? Pid, string? Host, string? Purpose, ulong? StartTime, string? LoopId)
    {
        public bool Damaged => Pid is null || Host is null;

        public string Describe() => Pid is { } pid ? $"process {pid} on {Host ?? "an unknown host"} ({Purpose ?? "unknown purpose"})" : "another process (its lock file is damaged)";
    }

    public static RepositoryLock Acquire(string repositoryRoot, string purpose)
    {
        var path = PathIn(repositoryRoot);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string? notice = null;
        for (var attempt = 0; attempt < 2; attempt++)
        {
            try
            {
                var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 4096, FileOptions.DeleteOnClose);
                HoldShared(stream);
                var started = ProcessOwnership.StartTimeOf(Environment.ProcessId);
                var content = string.Create(CultureInfo.InvariantCulture,
                    $"pid={Environment.ProcessId}\nhost={Environment.MachineName}\npurpose={purpose}\nsince={DateTimeOffset.UtcNow:O}\nloop={ProcessOwnership.LoopId}\n{(started is { } s ? $"started={s}\n" : "")}");
                stream.Write(System.Text.Encoding.UTF8.GetBytes(content));
                stream.Flush(flushToDisk: true);
                return new RepositoryLock(stream) { TakeOverNotice = notice };
            }
            catch (IOException) when (File.Exists(path))
            {
                var holder = ReadHolder(path);
                if (IsStale(path, holder))
                {
                    notice = TakeOver(path, holder);
                    continue;
                }

                throw new PerfloopException($"another perfloop is working in this repository: {holder.Describe()}; wait for it to finish, or delete {path} if you are sure it is gone");
            }
        }

        throw new PerfloopException($"could not take the lock {path}; delete it if no perfloop is running");
    }

    /// <summary>
    /// Ends what the dead holder of a stale lock left running, if the lock at <paramref name="repositoryRoot"/> is stale;
    /// returns a notice or null. <see cref="Acquire"/> does this itself when it takes a stale lock over.
    /// </summary>
    public static string? EndLeftoversOfStaleHolder(string repositoryRoot)
    {
        var path = PathIn(repositoryRoot);
        if (!File.Exists(path))
        {
            return null;
        }

        var holder = ReadHolder(path);
        if (!IsStale(path, holder) || holder.LoopId is not { } loop)
        {
            return null;
        }

        var ended = ProcessOwnership.EndLeftovers(loop);
        return ended == 0 ? null : string.Create(CultureInfo.InvariantCulture, $"ended {ended} process(es) that the stopped perfloop {holder.Pid} left running");
    }

    static string TakeOver(string path, Holder holder)
    {
        // The dead loop's processes end before anything new starts: a hung benchmark must not measure against ours.
        var ended = holder.LoopId is { } loop ? ProcessOwnership.EndLeftovers(loop) : 0;
        var leftovers = ended == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $"; ended {ended} process(es) it left running");
        File.Delete(path);
        return holder.Damaged
            ? $"took over a damaged lock file that no running process holds{leftovers}"
            : $"took over a stale lock of process {holder.Pid} ({holder.Purpose}), which is no longer running{leftovers}";
    }

    /// <summary>
    /// Nobody holds the lock: no process keeps the flock, and (for a lock of an older perfloop without one) the named
    /// process is gone or is another process that reused its pid. A lock of another host is never stale from here.
    /// </summary>
    static bool IsStale(string path, Holder holder)
    {
        if (holder.Host is { } host && host != Environment.MachineName)
        {
            return false;
        }

        if (FlockHeld(path) is true)
        {
            return false;
        }

        if (holder.Pid is not { } pid)
        {
            // Damaged: with flock known not to be held, nobody is behind it; without flock support, keep refusing.
            return FlockHeld(path) is false;
        }

        return !IsAlive(pid) || ProcessOwnership.StartTimeOf(pid) is null && OperatingSystem.IsLinux() || IsZombie(pid) || (holder.StartTime is { } started && ProcessOwnership.StartTimeOf(pid) is { } now && now != started);
    }

    /// <summary>Reads the holder leniently: a repeated key keeps its first value, a damaged line is skipped.</summary>
    public static Holder ReadHolder(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            lines = [];
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            var pair = line.Split('=', 2);
            if (pair.Length == 2)
            {
                fields.TryAdd(pair[0].Trim(), pair[1].Trim());
            }
        }

        int? pid = int.TryParse(fields.GetValueOrDefault("pid"), NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p > 0 ? p : null;
        ulong? started = ulong.TryParse(fields.GetValueOrDefault("started"), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : null;
        var host = fields.GetValueOrDefault("host");
        var loop = fields.GetValueOrDefault("loop");
        return new Holder(pid, string.IsNullOrEmpty(host) ? null : host, fields.GetValueOrDefault("purpose"), started,
            loop is { Length: > 0 } && loop.All(char.IsAsciiHexDigit) ? loop : null);
    }

    /// <summary>True when a live process holds the lock file's flock, false when none does, null where flock is not available.</summary>
    static bool? FlockHeld(string path) => OperatingSystem.IsLinux() ? LinuxNative.FlockHeld(path) : null;

    static void HoldShared(FileStream stream)
    {
        if (OperatingSystem.IsLinux())
        {
            // Shared, so readers (another perfloop naming the holder) can still open the file; a stale-lock check asks for
            // an exclusive lock, which only succeeds once every holder is gone — whatever the file says.
            LinuxNative.HoldSharedFlock(stream.SafeFileHandle);
        }
    }

    static bool IsZombie(int pid) => OperatingSystem.IsLinux() && ProcessOwnership.ReadStat(pid) is { State: 'Z' };

    internal static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Closing the stream removes the file (DeleteOnClose); deleting it again here could remove a successor's lock.</summary>
    public void Dispose() => stream.Dispose();
}
