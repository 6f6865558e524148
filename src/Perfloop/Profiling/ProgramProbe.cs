using System.Text;

namespace Perfloop.Profiling;

/// <summary>What the start of an executable file says about how it runs.</summary>
/// <param name="Path">Its full path.</param>
/// <param name="Elf">A native executable (ELF header).</param>
/// <param name="Shebang">The interpreter line without <c>#!</c>, for a script that has one.</param>
public sealed record ProgramFile(string Path, bool Elf, string? Shebang);

/// <summary>The file-system questions the runtime detector asks, behind a seam so the detector stays a pure function in tests.</summary>
public interface IProgramProbe
{
    /// <summary>The full path of a program as the shell would find it (a path relative to <paramref name="directory"/>, or a name on PATH), or null.</summary>
    string? Resolve(string program, string directory);

    /// <summary>The header facts of an existing file, or null when it cannot be read.</summary>
    ProgramFile? Inspect(string path);

    bool Exists(string path);

    /// <summary>A text file's content (a shell script the bench runs), or null when missing or too large to be a script.</summary>
    string? ReadText(string path);
}

/// <summary>The real file system and PATH.</summary>
public sealed class FileSystemProbe(string? path = null) : IProgramProbe
{
    const int MaxScriptBytes = 1 << 20;

    readonly string searchPath = path ?? Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin";

    public string? Resolve(string program, string directory)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            var full = Path.GetFullPath(program, directory);
            return File.Exists(full) ? full : null;
        }

        foreach (var entry in searchPath.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(Path.GetFullPath(entry, directory), program);
            if (File.Exists(candidate) && IsExecutable(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    public ProgramFile? Inspect(string path)
    {
        try
        {
            Span<byte> head = stackalloc byte[256];
            int read;
            using (var stream = File.OpenRead(path))
            {
                read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            }

            head = head[..read];
            var elf = head.StartsWith("\u007fELF"u8);
            string? shebang = null;
            if (head.StartsWith("#!"u8))
            {
                var line = Encoding.UTF8.GetString(head[2..]);
                var end = line.IndexOf('\n', StringComparison.Ordinal);
                shebang = (end < 0 ? line : line[..end]).Trim();
            }

            return new ProgramFile(path, elf, shebang);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public bool Exists(string path) => File.Exists(path);

    public string? ReadText(string path)
    {
        try
        {
            var info = new FileInfo(path);
            return info.Exists && info.Length <= MaxScriptBytes ? File.ReadAllText(path) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    static bool IsExecutable(string path) =>
        OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
}
