using System.Text;
using Perfloop.Errors;

namespace Perfloop.Ranking;

/// <summary>Reads a profile file of any supported format, chosen by its content (and the .nettrace extension).</summary>
public static class ProfileReader
{
    private static ReadOnlySpan<byte> NettraceMagic => "Nettrace"u8;

    public static Profile Read(string path)
    {
        if (!File.Exists(path))
            throw new PerfloopException($"profile not found: {path}; give a folded-stack file, a speedscope JSON file or a .nettrace");
        return Detect(path) switch
        {
            ProfileFormat.Nettrace => NettraceReader.Read(path),
            ProfileFormat.Speedscope => ReadSpeedscope(path),
            _ => ReadFolded(path),
        };
    }

    public static ProfileFormat Detect(string path)
    {
        if (path.EndsWith(".nettrace", StringComparison.OrdinalIgnoreCase))
            return ProfileFormat.Nettrace;
        Span<byte> head = stackalloc byte[64];
        int read;
        using (var stream = File.OpenRead(path))
            read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        head = head[..read];
        if (head.StartsWith(NettraceMagic))
            return ProfileFormat.Nettrace;
        var text = Encoding.UTF8.GetString(head).TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        return text.StartsWith('{') ? ProfileFormat.Speedscope : ProfileFormat.Folded;
    }

    private static Profile ReadSpeedscope(string path)
    {
        using var stream = File.OpenRead(path);
        return SpeedscopeReader.Read(stream, path);
    }

    private static Profile ReadFolded(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return FoldedStackReader.Read(reader, path);
    }
}
