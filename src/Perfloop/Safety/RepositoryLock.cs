using System.Diagnostics;
using System.Globalization;
using Perfloop.Configuration;
using Perfloop.Errors;

namespace Perfloop.Safety;

/// <summary>
/// One loop per repository: <c>.perfloop/lock</c> names the holder's PID and host. A second holder is refused;
/// a lock whose process is gone (on this host) is taken over with a notice.
/// </summary>
public sealed class RepositoryLock : IDisposable
{
    readonly FileStream stream;

    RepositoryLock(FileStream stream) => this.stream = stream;

    /// <summary>The notice to show when a stale lock was taken over, else null.</summary>
    public string? TakeOverNotice { get; private init; }

    public static RepositoryLock Acquire(string repositoryRoot, string purpose)
    {
        var path = Path.Combine(PerfloopPaths.StateDirectory(repositoryRoot), "lock");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string? notice = null;
        for (var attempt = 0; attempt < 2; attempt++)
        {
            try
            {
                var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 4096, FileOptions.DeleteOnClose);
                var content = string.Create(CultureInfo.InvariantCulture, $"pid={Environment.ProcessId}\nhost={Environment.MachineName}\npurpose={purpose}\nsince={DateTimeOffset.UtcNow:O}\n");
                stream.Write(System.Text.Encoding.UTF8.GetBytes(content));
                stream.Flush(flushToDisk: true);
                return new RepositoryLock(stream) { TakeOverNotice = notice };
            }
            catch (IOException) when (File.Exists(path))
            {
                var holder = ReadHolder(path);
                if (holder is { } h && h.Host == Environment.MachineName && !IsAlive(h.Pid))
                {
                    notice = $"took over a stale lock of process {h.Pid} ({h.Purpose}), which is no longer running";
                    File.Delete(path);
                    continue;
                }

                var who = holder is { } l ? $"process {l.Pid} on {l.Host} ({l.Purpose})" : "another process";
                throw new PerfloopException($"another perfloop is working in this repository: {who}; wait for it to finish, or delete {path} if you are sure it is gone");
            }
        }

        throw new PerfloopException($"could not take the lock {path}; delete it if no perfloop is running");
    }

    static (int Pid, string Host, string Purpose)? ReadHolder(string path)
    {
        try
        {
            var fields = File.ReadAllLines(path).Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
            return int.TryParse(fields.GetValueOrDefault("pid"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid)
                ? (pid, fields.GetValueOrDefault("host", ""), fields.GetValueOrDefault("purpose", "")) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

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
