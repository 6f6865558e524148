using System.Text.Json;
using Perfloop.Errors;
using Perfloop.Processes;

namespace Perfloop.Ranking;

/// <summary>
/// Reads Python's profile statistics (what <c>python -m cProfile -o FILE</c> and <c>Profile.dump_stats</c> write: a
/// marshal dump only Python reads reliably) by running a few lines of the standard library's <c>pstats</c> under a
/// Python interpreter, which print the call graph as JSON; <see cref="FromJson"/> turns that into a profile.
/// </summary>
public static class PstatsReader
{
    /// <summary>Prints {"functions": [{file, line, name, self, callers: [[index, inclusive]]}]} for the pstats file in argv[1].</summary>
    public const string ConverterScript = """
        import json, pstats, sys
        stats = pstats.Stats(sys.argv[1]).stats
        keys = list(stats)
        index = {k: i for i, k in enumerate(keys)}
        out = []
        for k in keys:
            cc, nc, tt, ct, callers = stats[k]
            out.append({"file": k[0], "line": k[1], "name": k[2], "calls": nc, "self": tt, "total": ct,
                        "callers": [[index[c], v[3]] for c, v in callers.items() if c in index]})
        json.dump({"functions": out}, sys.stdout)
        """;

    /// <summary>Whether the file starts like a marshal dictionary keyed by tuples (pstats), not JSON.</summary>
    public static bool LooksLikePstats(ReadOnlySpan<byte> head) =>
        head.Length >= 2 && (head[0] is (byte)'{' or 0xfb) && (head[1] is (byte)')' or (byte)'(' or 0xa9 or 0xa8);

    /// <param name="runner">Runs the interpreter.</param>
    /// <param name="path">The pstats file.</param>
    /// <param name="python">The interpreter to read it with (the one that wrote it, when known).</param>
    /// <param name="baseDirectory">Where the profiled program ran: relative source file names are relative to it.</param>
    /// <param name="cancellationToken">Stops the interpreter.</param>
    public static async Task<Profile> ReadAsync(IProcessRunner runner, string path, string python, string baseDirectory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var spec = new CommandSpec(python, ["-c", ConverterScript.Replace("\r", "", StringComparison.Ordinal), path], baseDirectory)
        {
            Timeout = TimeSpan.FromMinutes(5),
            MemoryCapBytes = 256 << 20,
            Environment = new Dictionary<string, string?> { ["PYTHONPATH"] = null, ["PYTHONSTARTUP"] = null },
        };
        ProcessResult result;
        try
        {
            result = await runner.RunAsync(spec, cancellationToken);
        }
        catch (ProcessStartException e)
        {
            throw new PerfloopException($"{path}: reading Python profile statistics needs a Python interpreter ('{python}': {e.Message})");
        }
        if (!result.Succeeded || result.OutputTruncated)
        {
            var why = result.StderrText.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? $"exit code {result.ExitCode}";
            throw new PerfloopException($"{path}: not readable as Python profile statistics ({why})");
        }
        return FromJson(result.StdoutText, path, baseDirectory);
    }

    /// <summary>The converter's JSON as a profile: time in microseconds, each function named by its qualified name read from the source.</summary>
    public static Profile FromJson(string json, string sourceName, string baseDirectory)
    {
        var graph = new CallGraph();
        var names = new PythonNames();
        using var document = JsonDocument.Parse(json);
        var functions = document.RootElement.GetProperty("functions");
        var nodes = new List<int>();
        foreach (var function in functions.EnumerateArray())
        {
            nodes.Add(graph.Node(Frame(function, baseDirectory, names)));
        }

        var i = 0;
        foreach (var function in functions.EnumerateArray())
        {
            var node = nodes[i++];
            graph.AddSelf(node, function.GetProperty("self").GetDouble() * 1e6);
            graph.SetInclusive(node, function.GetProperty("total").GetDouble() * 1e6);
            foreach (var caller in function.GetProperty("callers").EnumerateArray())
            {
                var callerIndex = caller[0].GetInt32();
                if (callerIndex >= 0 && callerIndex < nodes.Count)
                {
                    graph.AddCall(nodes[callerIndex], node, caller[1].GetDouble() * 1e6);
                }
            }
        }
        var profile = graph.ToProfile(ProfileFormat.Pstats, "microseconds", []);
        if (profile.Samples.Count == 0)
        {
            throw new PerfloopException($"{sourceName}: the Python profile records no time");
        }

        return profile;
    }

    /// <summary>
    /// ("~", 0, "&lt;built-in method builtins.len&gt;") is interpreter code, shown as pstats shows it; a Python
    /// function is its qualified name (Class.method) with its absolute source file.
    /// </summary>
    static ProfileFrame Frame(JsonElement function, string baseDirectory, PythonNames names)
    {
        var file = function.GetProperty("file").GetString() ?? "";
        var line = function.GetProperty("line").GetInt32();
        var name = function.GetProperty("name").GetString() ?? "?";
        if (file == "~")
        {
            return new ProfileFrame(name.StartsWith('<') && name.EndsWith('>') ? "{" + name[1..^1] + "}" : name, null, "[python]");
        }

        var path = file.StartsWith('<') || Path.IsPathRooted(file) ? file : Path.GetFullPath(file, baseDirectory);
        return new ProfileFrame(names.Qualified(path, line, name), path);
    }
}

/// <summary>
/// cProfile names a function by its bare name (co_name); the source says which class or function holds it, so two
/// classes' <c>__init__</c> in one file stay apart and the name matches what a reader writes ("Scanner.hot").
/// </summary>
sealed class PythonNames
{
    readonly Dictionary<string, string[]?> _files = new(StringComparer.Ordinal);

    public string Qualified(string path, int line, string name)
    {
        if (line <= 0 || name.StartsWith('<') || Lines(path) is not { } lines || line > lines.Length)
        {
            return name;
        }
        // co_firstlineno points at the first decorator; the def follows it.
        var def = -1;
        for (var i = line - 1; i < lines.Length && i < line + 50; i++)
        {
            if (Declared(lines[i]) == name)
            {
                def = i;
                break;
            }
        }
        if (def < 0)
        {
            return name;
        }

        var parts = new List<string> { name };
        var indent = Indentation(lines[def]);
        for (var i = def - 1; i >= 0 && indent > 0; i--)
        {
            var text = lines[i];
            if (text.Trim().Length == 0 || text.TrimStart().StartsWith('#'))
            {
                continue;
            }

            var level = Indentation(text);
            if (level >= indent)
            {
                continue;
            }

            indent = level;
            // An if/with/try block around the definition adds no name.
            if (Declared(text) is { } outer)
            {
                parts.Insert(0, outer);
            }
        }
        return string.Join('.', parts);
    }

    /// <summary>The name a "def", "async def" or "class" line declares, or null.</summary>
    static string? Declared(string line)
    {
        var text = line.TrimStart();
        foreach (var keyword in (string[])["def ", "async def ", "class "])
        {
            if (!text.StartsWith(keyword, StringComparison.Ordinal))
            {
                continue;
            }

            var rest = text[keyword.Length..].TrimStart();
            var end = 0;
            while (end < rest.Length && (char.IsLetterOrDigit(rest[end]) || rest[end] == '_'))
            {
                end++;
            }

            return end > 0 ? rest[..end] : null;
        }
        return null;
    }

    static int Indentation(string line) => line.Length - line.TrimStart(' ', '\t').Length;

    string[]? Lines(string path)
    {
        if (_files.TryGetValue(path, out var lines))
        {
            return lines;
        }

        try
        {
            lines = Path.IsPathRooted(path) && File.Exists(path) ? File.ReadAllLines(path) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            lines = null;
        }
        _files[path] = lines;
        return lines;
    }
}
