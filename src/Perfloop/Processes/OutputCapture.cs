using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Text;

namespace Perfloop.Processes;

/// <summary>
/// Consumes one output stream without holding it: keeps a capped head in memory, copies a capped prefix
/// to an optional log file, counts and (optionally) hashes every byte, and feeds an optional line callback.
/// Used by one thread at a time.
/// </summary>
sealed class OutputCapture : IDisposable
{
    const int InitialHeadCapacity = 4096;

    readonly int memoryCapBytes;
    readonly FileStream? log;
    readonly long logCapBytes;
    readonly IncrementalHash? hash;
    readonly LineSplitter? lines;
    byte[] head = [];
    int headLength;
    long loggedBytes;

    public OutputCapture(int memoryCapBytes, string? logPath, long logCapBytes, bool computeHash, Action<string>? onLine)
    {
        this.memoryCapBytes = memoryCapBytes;
        this.logCapBytes = logCapBytes;
        if (logPath is not null)
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(logPath));
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
            }

            log = new FileStream(logPath, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 64 * 1024);
        }
        hash = computeHash ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
        lines = onLine is null ? null : new LineSplitter(onLine);
    }

    public long TotalBytes { get; private set; }

    public bool HeadTruncated => TotalBytes > headLength;

    public bool LogTruncated => log is not null && TotalBytes > loggedBytes;

    /// <summary>The first exception a line callback threw; callbacks stop after it.</summary>
    public ExceptionDispatchInfo? CallbackFailure => lines?.Failure;

    public void Append(ReadOnlySpan<byte> data)
    {
        TotalBytes += data.Length;
        hash?.AppendData(data);
        if (headLength < memoryCapBytes)
        {
            var take = Math.Min(data.Length, memoryCapBytes - headLength);
            EnsureHeadCapacity(headLength + take);
            data[..take].CopyTo(head.AsSpan(headLength));
            headLength += take;
        }
        if (log is not null && loggedBytes < logCapBytes)
        {
            var take = (int)Math.Min(data.Length, logCapBytes - loggedBytes);
            log.Write(data[..take]);
            loggedBytes += take;
        }
        lines?.Append(data);
    }

    /// <summary>End of stream (or of reading): flushes a final unterminated line and the log.</summary>
    public void Complete()
    {
        lines?.Flush();
        log?.Flush();
    }

    public byte[] Head() => head.AsSpan(0, headLength).ToArray();

    public string Sha256Hex() =>
        hash is null ? "" : Convert.ToHexStringLower(hash.GetCurrentHash());

    public void Dispose()
    {
        log?.Dispose();
        hash?.Dispose();
    }

    void EnsureHeadCapacity(int needed)
    {
        if (needed <= head.Length)
        {
            return;
        }

        var capacity = Math.Max(needed, Math.Max(InitialHeadCapacity, head.Length * 2));
        Array.Resize(ref head, Math.Min(capacity, Math.Max(needed, memoryCapBytes)));
    }
}

/// <summary>Splits a byte stream into lines for a callback; lines longer than a cap are delivered in pieces.</summary>
sealed class LineSplitter(Action<string> onLine)
{
    const int MaxLineBytes = 64 * 1024;

    readonly List<byte> pending = [];

    public ExceptionDispatchInfo? Failure { get; private set; }

    public void Append(ReadOnlySpan<byte> data)
    {
        while (Failure is null && !data.IsEmpty)
        {
            var newline = data.IndexOf((byte)'\n');
            if (newline < 0)
            {
                pending.AddRange(data);
                if (pending.Count >= MaxLineBytes)
                {
                    Flush();
                }

                return;
            }
            if (pending.Count == 0)
            {
                Deliver(data[..newline]);
            }
            else
            {
                pending.AddRange(data[..newline]);
                Flush();
            }
            data = data[(newline + 1)..];
        }
    }

    public void Flush()
    {
        if (pending.Count == 0)
        {
            return;
        }

        var bytes = pending.ToArray();
        pending.Clear();
        Deliver(bytes);
    }

    void Deliver(ReadOnlySpan<byte> line)
    {
        if (Failure is not null)
        {
            return;
        }

        if (!line.IsEmpty && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        try
        {
            onLine(Encoding.UTF8.GetString(line));
        }
        catch (Exception exception)
        {
            Failure = ExceptionDispatchInfo.Capture(exception);
        }
    }
}
