using System.Text.Json;

namespace Perfloop.Ranking;

/// <summary>Lines of one source file, first to last, 1-based and inclusive.</summary>
public sealed record LineSpan(int First, int Last);

/// <summary>
/// Which lines of a source file ran in the profiled run, from the runtime's own execution counters rather than from
/// samples: a line that never ran is certain, where a sampling profiler only says a function took no sample (too short,
/// or inlined into its caller).
/// </summary>
/// <param name="File">The file: absolute as read, repository-relative in bottlenecks.json.</param>
/// <param name="Lines">How many lines the file had.</param>
/// <param name="NeverRan">Runs of lines none of whose code ran (blank lines inside a run belong to it).</param>
public sealed record FileCoverage(string File, int Lines, IReadOnlyList<LineSpan> NeverRan)
{
    /// <summary>Whether any of the lines <paramref name="first"/>…<paramref name="last"/> ran (a line past the end did not).</summary>
    public bool AnyRan(int first, int last)
    {
        for (var line = Math.Max(1, first); line <= Math.Min(last, Lines); line++)
        {
            if (!NeverRan.Any(span => span.First <= line && line <= span.Last))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>
/// Reads what <c>NODE_V8_COVERAGE=DIR</c> makes Node.js write on exit (one <c>coverage-PID-TIME-N.json</c> per process):
/// for every script, each function's and each block's source range with the number of times it ran (V8's precise
/// block coverage). A character ran when the innermost range holding it ran; a line ran when any of its code did; a
/// line ran in the benchmark when it ran in any of its processes.
/// </summary>
public static class V8CoverageReader
{
    /// <param name="files">The coverage files.</param>
    /// <param name="readSource">A script's source by its path, or null to leave that script out.</param>
    /// <param name="include">Which scripts to keep (the repository's own).</param>
    public static IReadOnlyList<FileCoverage> Read(IEnumerable<string> files, Func<string, string?> readSource, Func<string, bool> include)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(readSource);
        ArgumentNullException.ThrowIfNull(include);
        var ran = new Dictionary<string, (string Source, bool[] Ran)>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            using var document = ParseOrNull(file);
            if (document is null || !document.RootElement.TryGetProperty("result", out var scripts) || scripts.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            foreach (var script in scripts.EnumerateArray())
            {
                var url = script.TryGetProperty("url", out var u) ? u.GetString() ?? "" : "";
                if (!url.StartsWith("file://", StringComparison.Ordinal))
                {
                    continue;
                }

                var path = Uri.UnescapeDataString(new Uri(url).AbsolutePath);
                if (!include(path))
                {
                    continue;
                }

                if (!ran.TryGetValue(path, out var known))
                {
                    // V8 sees the source without a byte-order mark.
                    var source = readSource(path)?.TrimStart('\uFEFF');
                    if (source is null)
                    {
                        continue;
                    }

                    known = (source, new bool[source.Length]);
                    ran[path] = known;
                }

                Paint(script, known.Ran);
            }
        }

        return [.. ran.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => Lines(f.Key, f.Value.Source, f.Value.Ran))];
    }

    /// <summary>A coverage file cut short (a process killed while writing it) is left out: the others still count.</summary>
    static JsonDocument? ParseOrNull(string file)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllText(file));
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            return null;
        }
    }

    /// <summary>Marks every character whose innermost range ran in this process (ORed into what other processes ran).</summary>
    static void Paint(JsonElement script, bool[] ran)
    {
        var ranges = new List<(int Start, int End, bool Ran)>();
        if (script.TryGetProperty("functions", out var functions) && functions.ValueKind == JsonValueKind.Array)
        {
            foreach (var function in functions.EnumerateArray())
            {
                if (!function.TryGetProperty("ranges", out var list) || list.ValueKind != JsonValueKind.Array)
                {
                    continue;
                }

                foreach (var range in list.EnumerateArray())
                {
                    if (range.TryGetProperty("startOffset", out var start) && start.TryGetInt32(out var from)
                        && range.TryGetProperty("endOffset", out var end) && end.TryGetInt32(out var to)
                        && range.TryGetProperty("count", out var count) && count.TryGetInt64(out var times))
                    {
                        ranges.Add((from, to, times > 0));
                    }
                }
            }
        }

        // Outer ranges first, so each inner range paints over its parent: V8's ranges nest.
        var here = new bool[ran.Length];
        foreach (var (start, end, counted) in ranges.OrderBy(r => r.Start).ThenByDescending(r => r.End))
        {
            for (var i = Math.Max(0, start); i < Math.Min(end, here.Length); i++)
            {
                here[i] = counted;
            }
        }

        for (var i = 0; i < ran.Length; i++)
        {
            ran[i] |= here[i];
        }
    }

    static FileCoverage Lines(string path, string source, bool[] ran)
    {
        var never = new List<LineSpan>();
        int? open = null;
        var lastNever = 0;
        var line = 1;
        var start = 0;
        while (start <= source.Length)
        {
            var end = source.IndexOf('\n', start);
            end = end < 0 ? source.Length : end;
            var code = false;
            var anyRan = false;
            for (var i = start; i < end; i++)
            {
                if (!char.IsWhiteSpace(source[i]))
                {
                    code = true;
                    anyRan |= ran[i];
                }
            }

            if (code && anyRan && open is { } first)
            {
                never.Add(new LineSpan(first, lastNever));
                open = null;
            }
            else if (code && !anyRan)
            {
                open ??= line;
                lastNever = line;
            }

            if (end == source.Length)
            {
                break;
            }

            start = end + 1;
            line++;
        }

        if (open is { } tail)
        {
            never.Add(new LineSpan(tail, lastNever));
        }

        return new FileCoverage(path, line, never);
    }
}
