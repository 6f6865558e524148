using System.Text;
using Perfloop.Errors;
using Perfloop.Processes;

namespace Perfloop.Ranking;

/// <summary>Reads a profile file of any supported format, chosen by its content (and a few extensions).</summary>
public static class ProfileReader
{
    public const string SupportedFormats = "folded stacks, speedscope JSON, .nettrace, callgrind.out, pstats (cProfile), .cpuprofile (V8) or .jfr";

    static ReadOnlySpan<byte> NettraceMagic => "Nettrace"u8;

    /// <summary>Reads the formats that need no external tool (all but pstats and JFR, which <see cref="ReadAsync"/> reads).</summary>
    /// <param name="path">The profile file.</param>
    /// <param name="repositoryRoot">Where the repository's sources are, for callgrind's inlined code; null to skip that.</param>
    public static Profile Read(string path, string? repositoryRoot = null)
    {
        var format = DetectExisting(path);
        return format switch
        {
            ProfileFormat.Nettrace => NettraceReader.Read(path),
            ProfileFormat.Speedscope => ReadSpeedscope(path),
            ProfileFormat.Callgrind => ReadCallgrind(path, repositoryRoot),
            ProfileFormat.CpuProfile => ReadCpuProfile(path),
            ProfileFormat.Pstats or ProfileFormat.Jfr => throw new PerfloopException($"{path}: a {format} file is read with a tool; use ReadAsync"),
            _ => ReadFolded(path),
        };
    }

    /// <summary>Reads any supported format; pstats through a Python interpreter, JFR through the JDK's jfr tool.</summary>
    /// <param name="runner">Runs the tools.</param>
    /// <param name="path">The profile file.</param>
    /// <param name="repositoryRoot">Where the repository's sources are; relative Python file names are relative to it.</param>
    /// <param name="cancellationToken">Stops the tools.</param>
    public static Task<Profile> ReadAsync(IProcessRunner runner, string path, string? repositoryRoot, CancellationToken cancellationToken = default)
    {
        var format = DetectExisting(path);
        var directory = repositoryRoot ?? Path.GetDirectoryName(Path.GetFullPath(path))!;
        return format switch
        {
            ProfileFormat.Pstats => PstatsReader.ReadAsync(runner, path, "python3", directory, cancellationToken),
            ProfileFormat.Jfr => JfrReader.FindTool(p => ExecutableSearch.Find(p, directory)) is { } jfr
                ? JfrReader.ReadAsync(runner, path, jfr, cancellationToken)
                : throw new PerfloopException($"{path}: reading a JFR recording needs the JDK's jfr tool, and none is on PATH or under JAVA_HOME; install a JDK (not only a JRE)"),
            _ => Task.FromResult(Read(path, repositoryRoot)),
        };
    }

    public static ProfileFormat Detect(string path)
    {
        if (path.EndsWith(".nettrace", StringComparison.OrdinalIgnoreCase))
        {
            return ProfileFormat.Nettrace;
        }

        Span<byte> head = stackalloc byte[64];
        int read;
        using (var stream = File.OpenRead(path))
        {
            read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }

        head = head[..read];
        if (head.StartsWith(NettraceMagic))
        {
            return ProfileFormat.Nettrace;
        }

        if (JfrReader.LooksLikeJfr(head))
        {
            return ProfileFormat.Jfr;
        }

        if (PstatsReader.LooksLikePstats(head) || path.EndsWith(".pstats", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".prof", StringComparison.OrdinalIgnoreCase))
        {
            return ProfileFormat.Pstats;
        }

        var text = Encoding.UTF8.GetString(head).TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        if (CallgrindReader.LooksLikeCallgrind(text))
        {
            return ProfileFormat.Callgrind;
        }

        if (CpuProfileReader.LooksLikeCpuProfile(text) || path.EndsWith(".cpuprofile", StringComparison.OrdinalIgnoreCase))
        {
            return ProfileFormat.CpuProfile;
        }

        return text.StartsWith('{') ? ProfileFormat.Speedscope : ProfileFormat.Folded;
    }

    static ProfileFormat DetectExisting(string path)
    {
        if (!File.Exists(path))
        {
            throw new PerfloopException($"profile not found: {path}; give {SupportedFormats}");
        }

        return Detect(path);
    }

    static Profile ReadSpeedscope(string path)
    {
        using var stream = File.OpenRead(path);
        return SpeedscopeReader.Read(stream, path);
    }

    static Profile ReadCpuProfile(string path)
    {
        using var stream = File.OpenRead(path);
        return CpuProfileReader.Read(stream, path);
    }

    static Profile ReadCallgrind(string path, string? repositoryRoot)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        return CallgrindReader.Read(reader, path, repositoryRoot);
    }

    static Profile ReadFolded(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return FoldedStackReader.Read(reader, path);
    }
}
