using System.Runtime.InteropServices;
using System.Text;

namespace Perfloop.Storage;

/// <summary>
/// Appends bytes to a file with one <c>write(2)</c> on a descriptor opened with <c>O_APPEND</c>, so every append
/// lands whole at the end even if another writer appends too, and a kill cannot leave half of it in the middle.
/// .NET's <see cref="FileMode.Append"/> seeks to the end once and then writes at that offset, which two writers
/// could interleave; hence the direct call.
/// </summary>
public static partial class AppendOnlyFile
{
    const int WriteOnly = 0x1;
    const int Create = 0x40;
    const int Append = 0x400;
    const int CloseOnExec = 0x80000;
    const int Interrupted = 4;

    public static unsafe void AppendAll(string path, ReadOnlySpan<byte> bytes)
    {
        if (!OperatingSystem.IsLinux())
        {
            using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
            return;
        }

        var fd = open(path, WriteOnly | Create | Append | CloseOnExec, Convert.ToInt32("644", 8));
        if (fd < 0)
        {
            throw new IOException($"cannot open {path} for appending: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }

        try
        {
            fixed (byte* data = bytes)
            {
                nint written;
                do
                {
                    written = write(fd, data, bytes.Length);
                }
                while (written < 0 && Marshal.GetLastPInvokeError() == Interrupted);

                if (written != bytes.Length)
                {
                    var why = written < 0 ? Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()) : $"only {written} of {bytes.Length} bytes written";
                    throw new IOException($"cannot append to {path}: {why}");
                }
            }

            if (fsync(fd) != 0)
            {
                throw new IOException($"cannot flush {path} to disk: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
            }
        }
        finally
        {
            _ = close(fd);
        }
    }

    public static void AppendAll(string path, string text) => AppendAll(path, Encoding.UTF8.GetBytes(text));

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint write(int fd, byte* buffer, nint count);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fsync(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);
}
