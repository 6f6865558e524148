using System.Globalization;
using System.Text.RegularExpressions;
using Perfloop.Errors;

namespace Perfloop.Ranking;

/// <summary>
/// Reads valgrind's callgrind output (<c>callgrind.out.PID</c>): per function the instructions it executed itself,
/// per call arc the instructions of the call inclusive, with callgrind's name and position compression.
/// </summary>
/// <remarks>
/// Inlined code: callgrind charges an inlined function's instructions to the function it was inlined into, but
/// records their source lines. When a line lies in the repository's source and the source file places it inside
/// another function, that cost is given to the other function, as a callee of the one it was inlined into — so an
/// optimized build still ranks (and passes fidelity for) the function whose code runs.
/// </remarks>
public static partial class CallgrindReader
{
    /// <summary>Whether the text starts like a callgrind file.</summary>
    public static bool LooksLikeCallgrind(string head) =>
        head.StartsWith("# callgrind format", StringComparison.Ordinal) || head.StartsWith("version:", StringComparison.Ordinal) || head.StartsWith("events:", StringComparison.Ordinal);

    /// <summary>The command line and total cost a callgrind file records, without reading it whole.</summary>
    public static (string? Command, double Total) Summary(string path)
    {
        string? command = null;
        using var reader = new StreamReader(path);
        while (reader.ReadLine() is { } line)
        {
            if (line.StartsWith("cmd:", StringComparison.Ordinal))
            {
                command = line[4..].Trim();
            }
            else if (line.StartsWith("summary:", StringComparison.Ordinal) || line.StartsWith("totals:", StringComparison.Ordinal))
            {
                return (command, ParseFirst(line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..]));
            }
            else if (line.StartsWith("fn=", StringComparison.Ordinal))
            {
                break;
            }
        }
        return (command, 0);
    }

    /// <param name="reader">The file's text.</param>
    /// <param name="sourceName">Named in errors.</param>
    /// <param name="repositoryRoot">Enables the attribution of inlined code by source line (files inside it only); null to keep callgrind's attribution.</param>
    public static Profile Read(TextReader reader, string sourceName, string? repositoryRoot = null)
    {
        var graph = new CallGraph();
        var sources = new SourceFunctions(repositoryRoot);
        var objects = new Names();
        var files = new Names();
        var functions = new Names();
        var positionCount = 1;
        var lastPositions = new long[2];
        var eventIndex = 0;
        string? ob = null, fl = null, costFile = null;
        int? current = null;
        string? cob = null, cfi = null, cfn = null;
        var callPending = false;
        string? command = null;
        var sawData = false;
        var lineNumber = 0;

        while (reader.ReadLine() is { } raw)
        {
            lineNumber++;
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (char.IsAsciiDigit(line[0]) || line[0] is '+' or '-' or '*')
            {
                if (current is not { } caller)
                {
                    continue;
                }

                var (position, cost) = CostLine(line, positionCount, lastPositions, eventIndex);
                var sourceLine = (int)Math.Clamp(position, 0, int.MaxValue);
                var owner = Owner(caller, costFile ?? fl, sourceLine);
                if (callPending)
                {
                    callPending = false;
                    if (cfn is null)
                    {
                        continue;
                    }

                    var callee = graph.Node(Frame(cfn, cfi ?? fl, cob ?? ob));
                    graph.AddCall(owner, callee, cost);
                    if (owner != caller)
                    {
                        graph.AddCall(caller, owner, cost);
                    }

                    cob = cfi = cfn = null;
                }
                else
                {
                    graph.AddSelf(owner, cost);
                    if (owner != caller)
                    {
                        graph.AddCall(caller, owner, cost);
                    }
                }
                sawData = true;
                continue;
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (eq > 0 && (colon < 0 || eq < colon))
            {
                var key = line[..eq];
                var value = line[(eq + 1)..];
                switch (key)
                {
                    case "ob":
                        ob = objects.Resolve(value);
                        break;
                    case "fl":
                        fl = files.Resolve(value);
                        costFile = null;
                        break;
                    case "fi" or "fe":
                        costFile = files.Resolve(value);
                        break;
                    case "fn":
                        current = graph.Node(Frame(functions.Resolve(value), fl, ob));
                        costFile = null;
                        break;
                    case "cob":
                        cob = objects.Resolve(value);
                        break;
                    case "cfi" or "cfl":
                        cfi = files.Resolve(value);
                        break;
                    case "cfn":
                        cfn = functions.Resolve(value);
                        break;
                    case "calls":
                        callPending = true;
                        break;
                    default:
                        break; // jump=, jcnd= and future keys carry nothing the ranking uses
                }
                continue;
            }

            if (colon > 0)
            {
                var key = line[..colon];
                var value = line[(colon + 1)..].Trim();
                switch (key)
                {
                    case "positions":
                        positionCount = Math.Clamp(value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length, 1, 2);
                        lastPositions = new long[positionCount];
                        break;
                    case "events":
                        var events = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                        eventIndex = Math.Max(0, Array.IndexOf(events, "Ir"));
                        break;
                    case "cmd":
                        command = value;
                        break;
                    default:
                        break;
                }
            }
        }

        if (!sawData)
        {
            throw new PerfloopException($"{sourceName}: no costs in the callgrind file; record one with 'valgrind --tool=callgrind PROGRAM'");
        }

        var notes = command is null ? [] : new List<string> { $"callgrind of: {command}" };
        var profile = graph.ToProfile(ProfileFormat.Callgrind, "instructions", notes);
        if (profile.Samples.Count == 0)
        {
            throw new PerfloopException($"{sourceName}: the callgrind file records no instructions");
        }

        return profile;

        int Owner(int physical, string? file, int sourceLine)
        {
            if (file is null || sourceLine <= 0 || sources.Enclosing(file, sourceLine) is not { } written)
            {
                return physical;
            }

            var frame = graph.Frames[physical];
            if (SameFunction(frame.Name, written))
            {
                return physical;
            }

            return graph.Node(new ProfileFrame(written, file, frame.Module, frame.ModulePath));
        }
    }

    /// <summary>"ns::Parser::parse(char const*)" and "parse" are the same function; so are "hot::compute" and "compute".</summary>
    internal static bool SameFunction(string profiled, string written)
    {
        var name = profiled;
        var paren = name.IndexOf('(', StringComparison.Ordinal);
        if (paren > 0)
        {
            name = name[..paren];
        }

        var last = name.LastIndexOf("::", StringComparison.Ordinal);
        if (last >= 0)
        {
            name = name[(last + 2)..];
        }

        var writtenLast = written.LastIndexOf("::", StringComparison.Ordinal);
        return string.Equals(name, writtenLast >= 0 ? written[(writtenLast + 2)..] : written, StringComparison.Ordinal);
    }

    static ProfileFrame Frame(string function, string? file, string? objectPath)
    {
        var name = RustHash().Replace(function, "");
        var source = file is null or "???" ? null : file;
        var module = objectPath is null or "???" ? null : Path.GetFileName(objectPath);
        var modulePath = objectPath is null or "???" || !Path.IsPathRooted(objectPath) ? null : objectPath;
        return new ProfileFrame(name, source, module, modulePath);
    }

    static (long Position, double Cost) CostLine(string line, int positionCount, long[] last, int eventIndex)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var lineIndex = positionCount - 1; // with "instr line", the source line is the second position
        for (var i = 0; i < positionCount && i < parts.Length; i++)
        {
            var token = parts[i];
            long value;
            if (token == "*")
            {
                value = last[i];
            }
            else if (token[0] is '+' or '-')
            {
                value = last[i] + (token[0] == '-' ? -1 : 1) * ParseNumber(token[1..]);
            }
            else
            {
                value = ParseNumber(token);
            }

            last[i] = value;
        }
        var costIndex = positionCount + eventIndex;
        var cost = costIndex < parts.Length ? ParseNumber(parts[costIndex]) : 0;
        return (last[lineIndex], cost);
    }

    static long ParseNumber(string token) =>
        token.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? long.Parse(token.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture)
            : long.TryParse(token, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : 0;

    static double ParseFirst(string text)
    {
        var first = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return first is null ? 0 : ParseNumber(first);
    }

    /// <summary>callgrind's name compression: "(12) name" defines id 12, a later "(12)" refers to it.</summary>
    sealed class Names
    {
        readonly Dictionary<string, string> _byId = new(StringComparer.Ordinal);

        public string Resolve(string value)
        {
            var text = value.Trim();
            if (text.Length == 0 || text[0] != '(')
            {
                return text;
            }

            var close = text.IndexOf(')', StringComparison.Ordinal);
            if (close < 0)
            {
                return text;
            }

            var id = text[1..close];
            var name = text[(close + 1)..].Trim();
            if (name.Length > 0)
            {
                _byId[id] = name;
                return name;
            }
            return _byId.TryGetValue(id, out var known) ? known : text;
        }
    }

    /// <summary>Legacy Rust symbols end with a hash ("::h0123456789abcdef") that names no source function.</summary>
    [GeneratedRegex(@"::h[0-9a-f]{16}$")]
    private static partial Regex RustHash();
}
