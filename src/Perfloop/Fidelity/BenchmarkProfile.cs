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
/// What the benchmark is known to run: the functions its CPU samples saw (with their share), and for a .NET trace the
/// methods the runtime compiled during the run — a method that ran was compiled, however rarely it was sampled.
/// </summary>
public sealed partial record BenchmarkProfile(string Source, IReadOnlyList<ProfiledFunction> Sampled, IReadOnlyList<string> Compiled)
{
    /// <summary>Whether <paramref name="function"/> runs in the benchmark: named by a sampled or a compiled function.</summary>
    public ProfileMatch? Runs(ChangedFunction function)
    {
        if (Sampled.Where(p => Names(p.Name, function.Name, function.Container)).MaxBy(p => p.TotalPercent ?? 0) is { } sampled)
        {
            return new ProfileMatch(sampled, sampled.TotalPercent is { } share ? string.Create(CultureInfo.InvariantCulture, $"{share:0.#}% of samples") : "sampled");
        }

        return Compiled.FirstOrDefault(c => Names(c, function.Name, function.Container)) is { } compiled
            ? new ProfileMatch(new ProfiledFunction(compiled, null, null), "compiled during the run")
            : null;
    }

    /// <summary>The share of the samples (inclusive) of the function a target names ("PrimeScanner.PrimesUpTo …"), or null.</summary>
    public ProfiledFunction? ShareOf(string target)
    {
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
    /// A profile name ("Demo.Archive.ExportCsv", "Program.&lt;&lt;Main&gt;$&gt;g__Bench|0_0", "compute (hot.c)") names a function when
    /// its identifiers include the function's name and, when known, its declaring type. Compiler-generated names
    /// ("g__Bench", "&lt;Bench&gt;b__0") count by the name inside them.
    /// </summary>
    public static bool Names(string profileName, string function, string? container)
    {
        var identifiers = Identifiers(profileName);
        return identifiers.Contains(function) && (container is null || identifiers.Contains(container));
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
        }

        return set;
    }

    [GeneratedRegex(@"[A-Za-z_][A-Za-z0-9_]*")]
    private static partial Regex Identifier();
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
            return (null, "no profile of the benchmark (.perfloop/bottlenecks.json); record one with 'perfloop profile -- <bench command>'");
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
            var samples = profile.ValueKind == JsonValueKind.Object && profile.TryGetProperty("totalWeight", out var w) && w.ValueKind == JsonValueKind.Number ? w.GetDouble() : 0;
            IReadOnlyList<string> compiled = [];
            if (withCompiledMethods && format == "nettrace" && tracePath is not null && File.Exists(tracePath))
            {
                compiled = CompiledMethods.Read(tracePath);
            }

            var head = Text(root, "headSha") is { Length: >= 12 } sha ? $", at {sha[..12]}" : "";
            var source = string.Create(CultureInfo.InvariantCulture,
                $".perfloop/bottlenecks.json ({format ?? "profile"}, {samples:0} samples{(compiled.Count > 0 ? $", {compiled.Count} compiled methods" : "")}{head})");
            return (new BenchmarkProfile(source, sampled, compiled), null);
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
