using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using Perfloop.Configuration;
using Perfloop.Oracle;
using Perfloop.Safety;

namespace Perfloop.Policies;

/// <summary>A setting that the kept change left dead or inconsistent.</summary>
/// <param name="Area">loop config, benchmark flags or .NET settings.</param>
/// <param name="Setting">Where the setting lives (key or file).</param>
/// <param name="Problem">What is wrong and what to do.</param>
public sealed record AuditFinding(string Area, string Setting, string Problem)
{
    public string Line => $"{Area}: {Setting} — {Problem}";
}

/// <summary>What the audit looks at: the configuration, the tracked files before and after the KEEP, and the change.</summary>
public sealed record AuditInputs
{
    public required PerfloopConfig Config { get; init; }

    public required IReadOnlyList<string> FilesBefore { get; init; }

    public required IReadOnlyList<string> FilesAfter { get; init; }

    /// <summary>Files the KEEP changed.</summary>
    public required IReadOnlyList<string> Changed { get; init; }

    /// <summary>The kept diff (unified); its removed lines tell which flags the code read before.</summary>
    public string Diff { get; init; } = "";

    /// <summary>The oracle's captured outputs (file hashes null when a declared file was never written).</summary>
    public IReadOnlyList<OracleOutput> Oracle { get; init; } = [];

    /// <summary>Flags (from the benchmark command) still found in the tracked files after the change.</summary>
    public IReadOnlySet<string> FlagsStillRead { get; init; } = new HashSet<string>();

    /// <summary>Reads a tracked file's text after the change (project files), or null.</summary>
    public Func<string, string?> ReadFile { get; init; } = _ => null;
}

/// <summary>
/// Config audit after a KEEP (spec step): loop settings that point at nothing, benchmark flags the changed code no
/// longer reads, and .NET project/runtime settings the change duplicated or contradicted. Pure over its inputs.
/// </summary>
public static partial class ConfigAudit
{
    /// <summary>MSBuild properties and the runtimeconfig knobs they write, so a contradiction between the two is caught.</summary>
    static readonly Dictionary<string, string> RuntimeKnobs = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ServerGarbageCollection"] = "System.GC.Server",
        ["ConcurrentGarbageCollection"] = "System.GC.Concurrent",
        ["TieredCompilation"] = "System.Runtime.TieredCompilation",
        ["TieredPGO"] = "System.Runtime.TieredPGO",
        ["TieredCompilationQuickJit"] = "System.Runtime.TieredCompilation.QuickJit",
        ["InvariantGlobalization"] = "System.Globalization.Invariant",
        ["RetainVMGarbageCollection"] = "System.GC.RetainVM",
    };

    public static IReadOnlyList<AuditFinding> Audit(AuditInputs inputs)
    {
        var findings = new List<AuditFinding>();
        var config = inputs.Config;

        for (var i = 0; i < config.Oracles.Count; i++)
        {
            foreach (var file in config.Oracles[i].Files)
            {
                var output = i < inputs.Oracle.Count ? inputs.Oracle[i] : null;
                if (output is not null && output.FileHashes.TryGetValue(file, out var hash) && hash is null)
                {
                    findings.Add(new("loop config", $"$.oracles[{i}].files", $"'{file}' is never written by '{config.Oracles[i].Command}', so the oracle compares nothing there; remove it or fix the path"));
                }
            }
        }

        foreach (var pattern in config.ProtectedPaths)
        {
            var matcher = new ProtectedPaths([pattern], []);
            bool Matches(string f) => matcher.Reason(f) == "listed in protectedPaths";
            if (!inputs.FilesAfter.Any(Matches))
            {
                findings.Add(new("loop config", "$.protectedPaths", inputs.FilesBefore.Any(Matches)
                    ? $"'{pattern}' matched files before this change and matches nothing now; update or remove it"
                    : $"'{pattern}' matches no tracked file, so it protects nothing; fix the pattern or remove it"));
            }
        }

        var removed = RemovedLines(inputs.Diff);
        foreach (var flag in Flags(config.Bench))
        {
            if (removed.Any(l => l.Contains(flag, StringComparison.Ordinal)) && !inputs.FlagsStillRead.Contains(flag))
            {
                findings.Add(new("benchmark flags", "$.bench", $"'{flag}' is passed by the benchmark but the changed code no longer reads it (its last mention was removed); the benchmark may no longer exercise what it claims"));
            }
        }

        findings.AddRange(ProjectSettings(inputs));
        return findings;
    }

    /// <summary>Flag names (<c>--name</c>, without <c>=value</c>) in a shell command.</summary>
    public static IReadOnlyList<string> Flags(string command) =>
        FlagPattern().Matches(command).Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal).ToList();

    static List<string> RemovedLines(string diff) =>
        diff.Split('\n').Where(l => l.StartsWith('-') && !l.StartsWith("---", StringComparison.Ordinal)).ToList();

    static IEnumerable<AuditFinding> ProjectSettings(AuditInputs inputs)
    {
        var projectFiles = inputs.FilesAfter.Where(IsProjectFile).ToList();
        var touched = inputs.Changed.Where(IsProjectFile).ToHashSet(StringComparer.Ordinal);
        if (touched.Count == 0)
        {
            yield break;
        }

        // Unconditional properties per file; conditions make repeated definitions legitimate.
        var properties = new List<(string File, string Name, string Value)>();
        var knobs = new List<(string File, string Name, string Value)>();
        foreach (var file in projectFiles)
        {
            var text = inputs.ReadFile(file);
            if (text is null)
            {
                continue;
            }

            if (file.EndsWith("runtimeconfig.template.json", StringComparison.OrdinalIgnoreCase))
            {
                knobs.AddRange(ConfigProperties(text).Select(p => (file, p.Key, p.Value)));
                continue;
            }

            XDocument document;
            try
            {
                document = XDocument.Parse(text);
            }
            catch (XmlException)
            {
                continue;
            }

            foreach (var group in document.Descendants().Where(e => e.Name.LocalName == "PropertyGroup" && e.Attribute("Condition") is null))
            {
                foreach (var property in group.Elements().Where(e => e.Attribute("Condition") is null))
                {
                    properties.Add((file, property.Name.LocalName, property.Value.Trim()));
                }
            }

            foreach (var option in document.Descendants().Where(e => e.Name.LocalName == "RuntimeHostConfigurationOption"))
            {
                if (option.Attribute("Include")?.Value is { } name && option.Attribute("Value")?.Value is { } value)
                {
                    knobs.Add((file, name, value));
                }
            }
        }

        foreach (var group in properties.GroupBy(p => p.Name, StringComparer.OrdinalIgnoreCase))
        {
            var definitions = group.ToList();
            if (definitions.Count < 2 || !definitions.Any(d => touched.Contains(d.File)))
            {
                continue;
            }

            var sameFile = definitions.GroupBy(d => d.File).FirstOrDefault(g => g.Count() > 1);
            var values = definitions.Select(d => d.Value).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            var where = string.Join(", ", definitions.Select(d => $"{d.File}={d.Value}"));
            if (sameFile is not null)
            {
                yield return new(".NET settings", $"{sameFile.Key}: <{group.Key}>", values.Count > 1
                    ? $"set more than once with different values ({where}); the last one wins — keep one"
                    : $"set more than once ({where}); remove the duplicate");
            }
            else if (values.Count > 1 && definitions.Any(d => Path.GetFileName(d.File).StartsWith("Directory.Build.", StringComparison.OrdinalIgnoreCase)))
            {
                yield return new(".NET settings", $"<{group.Key}>", $"contradicts between the shared props and a project ({where}); make the override deliberate or remove one");
            }
        }

        foreach (var (msbuild, knob) in RuntimeKnobs)
        {
            var fromProject = properties.Where(p => string.Equals(p.Name, msbuild, StringComparison.OrdinalIgnoreCase)).ToList();
            var fromRuntime = knobs.Where(k => string.Equals(k.Name, knob, StringComparison.OrdinalIgnoreCase)).ToList();
            foreach (var p in fromProject)
            {
                foreach (var k in fromRuntime.Where(k => !string.Equals(k.Value, p.Value, StringComparison.OrdinalIgnoreCase)))
                {
                    if (touched.Contains(p.File) || touched.Contains(k.File))
                    {
                        yield return new(".NET settings", $"{knob}", $"<{msbuild}>{p.Value}</{msbuild}> in {p.File} contradicts {knob}={k.Value} in {k.File}; only one of them takes effect");
                    }
                }
            }
        }
    }

    static IEnumerable<KeyValuePair<string, string>> ConfigProperties(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException)
        {
            yield break;
        }

        using (document)
        {
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("configProperties", out var properties) && properties.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in properties.EnumerateObject())
                {
                    yield return new(property.Name, property.Value.ToString());
                }
            }
        }
    }

    public static bool IsProjectFile(string path) =>
        path.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".fsproj", StringComparison.OrdinalIgnoreCase)
        || path.EndsWith(".props", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".targets", StringComparison.OrdinalIgnoreCase)
        || path.EndsWith("runtimeconfig.template.json", StringComparison.OrdinalIgnoreCase);

    /// <summary>The report written to the experiment's folder.</summary>
    public static string ToMarkdown(int experiment, IReadOnlyList<AuditFinding> findings)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"# Config audit after experiment {experiment}\n\n");
        if (findings.Count == 0)
        {
            text.Append("No dead or inconsistent settings found (loop config, benchmark flags, .NET project/runtime settings).\n");
        }

        foreach (var finding in findings)
        {
            text.Append("- ").Append(finding.Line).Append('\n');
        }

        return text.ToString();
    }

    [GeneratedRegex(@"(?:^|\s)(--[A-Za-z][A-Za-z0-9-]*)")]
    private static partial Regex FlagPattern();
}
