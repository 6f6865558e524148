using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Diagnostics.Tracing;
using Perfloop.Configuration;

namespace Perfloop.Fidelity;

/// <summary>A function the benchmark's profile saw, with its inclusive share of the samples when it was sampled.</summary>
public sealed record ProfiledFunction(string Name, string? File, double? TotalPercent);

/// <summary>How a changed function was found in the profile.</summary>
public sealed record ProfileMatch(ProfiledFunction Function, string How);

/// <summary>
/// What the benchmark is known to run: the functions its profile saw (with their share), and for a .NET trace the
/// methods the runtime compiled during the run — a method that ran was compiled, however rarely it was sampled — and
/// for a JVM the methods it called. Deterministic profilers (callgrind, cProfile) see every function that ran at all.
/// </summary>
public sealed partial record BenchmarkProfile(string Source, IReadOnlyList<ProfiledFunction> Sampled, IReadOnlyList<string> Compiled)
{
    /// <summary>The profile's format as bottlenecks.json names it ("callgrind", "pstats", …); null when unknown.</summary>
    public string? Format { get; init; }

    /// <summary>Every method of the program the runtime saw called (a JVM's touched-methods list); null when it kept none.</summary>
    public IReadOnlyList<string>? Called { get; init; }

    /// <summary>
    /// Whether a function missing from the profile surely did not run: the profiler records every call (callgrind,
    /// cProfile), or the runtime listed what it compiled or called. Samples alone cannot say it: a function that ran
    /// for less than a sampling interval or two may leave no sample.
    /// </summary>
    public bool ProvesAbsence => IsDeterministic || Compiled.Count > 0 || Called is not null;

    /// <summary>Which lines of the repository's files ran, when the runtime counted it (Node.js: V8 coverage); empty otherwise.</summary>
    public IReadOnlyList<Ranking.FileCoverage> Coverage { get; init; } = [];

    /// <summary>
    /// Whether any of <paramref name="lines"/> of the unchanged <paramref name="path"/> ran in the benchmark, by the
    /// runtime's own count; null when no coverage covers the file (it is not the runtime's, or it never loaded).
    /// </summary>
    public bool? Ran(string path, Ranking.LineSpan lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        return Coverage.FirstOrDefault(c => SameFile(c.File, path)) is { } file ? file.AnyRan(lines.First, lines.Last) : null;
    }

    /// <summary>The source languages whose functions the profile can show (<see cref="ChangedFunctions.LanguageOf"/> names); null for any.</summary>
    public IReadOnlySet<string>? Languages => LanguagesOf(Format);

    /// <summary>
    /// What each profile format can see: a profiler of one runtime sees that runtime's functions only (cProfile never
    /// shows a C extension's functions, callgrind never a Python function's name). Folded and speedscope files come
    /// from any profiler, so they may show any language.
    /// </summary>
    public static IReadOnlySet<string>? LanguagesOf(string? format) => format?.ToLowerInvariant() switch
    {
        "callgrind" => new HashSet<string>(StringComparer.Ordinal) { "c", "rust", "go", "fortran" },
        "pstats" => new HashSet<string>(StringComparer.Ordinal) { "python" },
        "cpuprofile" => new HashSet<string>(StringComparer.Ordinal) { "javascript" },
        "jfr" => new HashSet<string>(StringComparer.Ordinal) { "java", "kotlin" },
        "nettrace" => new HashSet<string>(StringComparer.Ordinal) { "csharp" },
        _ => null,
    };

    /// <summary>The profiler behind a format, as a reader knows it.</summary>
    public static string Describe(string? format) => format?.ToLowerInvariant() switch
    {
        "callgrind" => "a callgrind profile (native code)",
        "pstats" => "a cProfile profile (Python)",
        "cpuprofile" => "a V8 CPU profile (JavaScript)",
        "jfr" => "a JFR recording (JVM)",
        "nettrace" => "a .NET trace",
        { } other => $"a {other} profile",
        null => "the profile",
    };

    /// <summary>Whether the profile can show functions of <paramref name="language"/> at all.</summary>
    public bool Sees(string language) => Languages is not { } languages || languages.Contains(language);

    /// <summary>Whether <paramref name="function"/> runs in the benchmark: named by a sampled or a compiled function (in the same file, when the profile names files).</summary>
    public ProfileMatch? Runs(ChangedFunction function)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (Sampled.Where(p => Names(p.Name, function.Name, function.Container) && SameFile(p.File, function.Path)).MaxBy(p => p.TotalPercent ?? 0) is { } sampled)
        {
            return new ProfileMatch(sampled, sampled.TotalPercent is { } share ? string.Create(CultureInfo.InvariantCulture, $"{share:0.#}% of {(IsDeterministic ? "the profile" : "samples")}") : "sampled");
        }

        if (Compiled.FirstOrDefault(c => Names(c, function.Name, function.Container)) is { } compiled)
        {
            return new ProfileMatch(new ProfiledFunction(compiled, null, null), "compiled during the run");
        }

        return Called?.FirstOrDefault(c => Names(c, function.Name, function.Container)) is { } called
            ? new ProfileMatch(new ProfiledFunction(called, null, null), "called during the run")
            : null;
    }

    /// <summary>callgrind and cProfile record every call: a function missing from them did not run.</summary>
    bool IsDeterministic => Format?.ToLowerInvariant() is "callgrind" or "pstats";

    /// <summary>The share of the samples (inclusive) of the function a target names ("PrimeScanner.PrimesUpTo …"), or null.</summary>
    public ProfiledFunction? ShareOf(string target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var name = target.Split(' ', 2)[0];
        var parts = name.Split('.', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            return null;
        }

        var method = parts[^1];
        var container = parts.Length > 1 ? parts[^2] : null;
        return Sampled.Where(p => p.TotalPercent is not null && Names(p.Name, method, container)).MaxBy(p => p.TotalPercent);
    }

    /// <summary>
    /// A profile name names a function when its identifiers include the function's name and — when the profile name
    /// is qualified (a type, module or namespace before the name) and the function's type is known — that type.
    /// Profile names are read the way each profiler writes them: "Demo.Archive.ExportCsv" (.NET), "ns::Parser::parse(char const*)"
    /// (callgrind; the parameter list is not part of the name), "main.(*Scanner).Hot" (Go), "bench.py:42(hot)" (pstats'
    /// own notation), "Scanner.hot" (Python), "com.acme.Main.hot" (JFR), "__geo_MOD_area" and "area_" (gfortran).
    /// Compiler-generated names ("g__Bench", "&lt;Bench&gt;b__0") count by the name inside them.
    /// </summary>
    public static bool Names(string profileName, string function, string? container)
    {
        ArgumentNullException.ThrowIfNull(profileName);
        var name = WithoutParameters(PstatsNotation().Match(profileName) is { Success: true } pstats ? pstats.Groups["function"].Value : profileName);
        var identifiers = Identifiers(name);
        if (!identifiers.Contains(function))
        {
            return false;
        }

        return container is null || identifiers.Contains(container) || !Qualified().IsMatch(name);
    }

    /// <summary>A profile that names the function's file must name the changed file (repository-relative, or its tail).</summary>
    static bool SameFile(string? profiled, string changed)
    {
        if (profiled is null)
        {
            return true;
        }

        var a = profiled.Replace('\\', '/').TrimStart('.', '/');
        var b = changed.Replace('\\', '/').TrimStart('.', '/');
        return a == b || a.EndsWith("/" + b, StringComparison.Ordinal) || b.EndsWith("/" + a, StringComparison.Ordinal);
    }

    /// <summary>"ns::A::f(int, char const*) const" → "ns::A::f": a parameter list is the trailing group after a name.</summary>
    static string WithoutParameters(string name)
    {
        var text = name.TrimEnd();
        if (text.EndsWith(" const", StringComparison.Ordinal))
        {
            text = text[..^6];
        }

        if (!text.EndsWith(')'))
        {
            return text;
        }

        var depth = 0;
        for (var i = text.Length - 1; i > 0; i--)
        {
            depth += text[i] == ')' ? 1 : text[i] == '(' ? -1 : 0;
            if (depth == 0)
            {
                // "main.(*T).M" and "(anonymous)" open with the group; a parameter list follows a name.
                return char.IsLetterOrDigit(text[i - 1]) || text[i - 1] is '_' or '>' or '$' ? text[..i] : text;
            }
        }

        return text;
    }

    static HashSet<string> Identifiers(string name)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in Identifier().Matches(name))
        {
            var id = m.Value;
            set.Add(id);
            var cut = id.LastIndexOf("__", StringComparison.Ordinal);
            if (cut > 0 && cut + 2 < id.Length)
            {
                set.Add(id[(cut + 2)..]);
            }

            // gfortran: "__geo_MOD_area" is module geo's area, "area_" an external procedure.
            var module = id.IndexOf("_MOD_", StringComparison.Ordinal);
            if (module >= 0 && module + 5 < id.Length)
            {
                set.Add(id[(module + 5)..]);
            }

            if (id.Length > 1 && id.EndsWith('_') && !id.EndsWith("__", StringComparison.Ordinal))
            {
                set.Add(id[..^1]);
            }
        }

        return set;
    }

    [GeneratedRegex(@"[A-Za-z_][A-Za-z0-9_]*")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"^(?<file>.+):(?<line>\d+)\((?<function>[^()]+)\)$")]
    private static partial Regex PstatsNotation();

    /// <summary>A name with something before its last identifier: "Type.method", "ns::f", "pkg.(*T).M", "Outer$Inner.m".</summary>
    [GeneratedRegex(@"[A-Za-z0-9_>\)\]](\.|::|\$|/)\(?\*?[A-Za-z_<]")]
    private static partial Regex Qualified();
}

/// <summary>
/// Reads the bottleneck ranking (<c>.perfloop/bottlenecks.json</c>, schema <c>perfloop.bottlenecks/v1</c>, written by
/// <c>perfloop profile</c> / <c>perfloop rank</c>) defensively, through JSON alone: a missing, foreign or damaged file
/// means "no profile", never a failed experiment.
/// </summary>
public static class BenchmarkProfileStore
{
    public const string Schema = "perfloop.bottlenecks/v1";

    public static string PathIn(string repositoryRoot) => Path.Combine(PerfloopPaths.StateDirectory(repositoryRoot), "bottlenecks.json");

    /// <summary>The profile, or null with why there is none.</summary>
    /// <param name="repositoryRoot">The repository whose .perfloop/ holds the ranking.</param>
    /// <param name="withCompiledMethods">Also read the methods compiled during the profiled run from its .nettrace (for fidelity).</param>
    public static (BenchmarkProfile? Profile, string? Missing) Load(string repositoryRoot, bool withCompiledMethods = true)
    {
        var path = PathIn(repositoryRoot);
        if (!File.Exists(path))
        {
            return (null, "no profile of the benchmark (.perfloop/bottlenecks.json)");
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var root = document.RootElement;
            if (Text(root, "schema") != Schema)
            {
                return (null, $".perfloop/bottlenecks.json has schema '{Text(root, "schema")}', not {Schema}");
            }

            var sampled = new List<ProfiledFunction>();
            if (root.TryGetProperty("functions", out var functions) && functions.ValueKind == JsonValueKind.Array)
            {
                foreach (var f in functions.EnumerateArray())
                {
                    if (Text(f, "function") is { Length: > 0 } name)
                    {
                        double? total = f.TryGetProperty("totalPercent", out var t) && t.ValueKind == JsonValueKind.Number ? t.GetDouble() : null;
                        sampled.Add(new ProfiledFunction(name, Text(f, "file"), total));
                    }
                }
            }

            var profile = root.TryGetProperty("profile", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;
            var format = profile.ValueKind == JsonValueKind.Object ? Text(profile, "format") : null;
            var tracePath = profile.ValueKind == JsonValueKind.Object ? Text(profile, "path") : null;
            var totalWeight = profile.ValueKind == JsonValueKind.Object && profile.TryGetProperty("totalWeight", out var w) && w.ValueKind == JsonValueKind.Number ? w.GetDouble() : 0;
            var unit = (profile.ValueKind == JsonValueKind.Object ? Text(profile, "unit") : null) ?? "samples";
            var weight = Ranking.ProfileInfo.WeightInWords(totalWeight, unit);
            IReadOnlyList<string> compiled = [];
            if (withCompiledMethods && string.Equals(format, "nettrace", StringComparison.OrdinalIgnoreCase) && tracePath is not null && File.Exists(tracePath))
            {
                compiled = CompiledMethods.Read(tracePath);
            }

            List<string>? called = root.TryGetProperty("calledMethods", out var calledMethods) && calledMethods.ValueKind == JsonValueKind.Array
                ? [.. calledMethods.EnumerateArray().Where(m => m.ValueKind == JsonValueKind.String).Select(m => m.GetString()!)]
                : null;
            var head = Text(root, "headSha") is { Length: >= 12 } sha ? $", at {sha[..12]}" : "";
            var listed = compiled.Count > 0 ? $", {compiled.Count} compiled methods" : called is not null ? $", {called.Count} called methods" : "";
            var source = string.Create(CultureInfo.InvariantCulture, $".perfloop/bottlenecks.json ({format ?? "profile"}, {weight}{listed}{head})");
            var coverage = root.TryGetProperty("coverage", out var c) && c.ValueKind == JsonValueKind.Array
                ? c.Deserialize<List<Ranking.FileCoverage>>(Storage.JsonFormats.Output) ?? []
                : [];
            return (new BenchmarkProfile(source, sampled, compiled) { Format = format, Coverage = coverage, Called = called }, null);
        }
        catch (Exception e) when (e is JsonException or IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            return (null, $".perfloop/bottlenecks.json is unreadable ({e.Message.Split('.')[0]})");
        }
    }

    static string? Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>
/// The methods a .NET trace says the runtime compiled (MethodLoadVerbose events of the runtime's JIT keyword). With
/// tiered compilation every method gets a quick first compile on its first call, so this is the set of methods that
/// ran — unless tiering is switched off and a method was inlined into its caller.
/// </summary>
public static class CompiledMethods
{
    public static IReadOnlyList<string> Read(string nettracePath)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            using var source = new EventPipeEventSource(nettracePath);
            source.Clr.MethodLoadVerbose += data => names.Add($"{data.MethodNamespace}.{data.MethodName}");
            source.Process();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A damaged trace leaves the sampled functions to decide.
            return [];
        }

        return names.Order(StringComparer.Ordinal).ToList();
    }
}
