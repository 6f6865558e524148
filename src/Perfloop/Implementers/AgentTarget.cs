using System.Globalization;
using System.Text.Json;
using Perfloop.Errors;

namespace Perfloop.Implementers;

/// <summary>
/// One thing an agent is asked to make faster: what it is, what kind of bottleneck, how much there is to gain,
/// and (optionally) which strategy of the domain's rotation to use. Shares are percentages of the profiled run.
/// </summary>
public sealed record AgentTarget(string Target, string Category, string Impact, string Strategy)
{
    /// <summary>Share of the run spent in the target itself, when a profile said so.</summary>
    public double? SelfPct { get; init; }

    /// <summary>Share of the run spent in the target and what it calls, when a profile said so.</summary>
    public double? TotalPct { get; init; }

    /// <summary>The source file, when the profile named one.</summary>
    public string? File { get; init; }

    /// <summary>The impact as given, else the Amdahl bound from the total share (all of it removed), else "".</summary>
    public string EstimatedImpact => Impact.Length > 0 ? Impact
        : TotalPct is > 0 and < 100 and var total ? string.Create(CultureInfo.InvariantCulture, $"at most {1 / (1 - (total / 100)):0.##}x (Amdahl, {total:0.#}% of the run)")
        : "";

    /// <summary>"self 31.2%, total 48%" or "" when no profile share is known.</summary>
    public string ProfileShare => string.Join(", ", new[]
    {
        SelfPct is { } self ? string.Create(CultureInfo.InvariantCulture, $"self {self:0.#}%") : null,
        TotalPct is { } total ? string.Create(CultureInfo.InvariantCulture, $"total {total:0.#}%") : null,
    }.OfType<string>());
}

/// <summary>
/// Reads the targets an agent works through. Two sources:
/// <list type="bullet">
/// <item>a targets file given with <c>--targets</c>: text, one <c>target | category | impact | strategy</c> per line
/// (only the target is required; blank lines and <c>#</c> comments are skipped), or a JSON array of objects with the
/// same keys;</item>
/// <item><c>.perfloop/bottlenecks.json</c>, the ranking <c>perfloop rank</c> writes (its first <see cref="RankedTargetLimit"/> optimizable functions).</item>
/// </list>
/// A JSON targets file is read defensively (<see cref="BottleneckKeys"/>), so a hand-written list or another tool's ranking works too.
/// </summary>
public static class AgentTargets
{
    /// <summary>
    /// The JSON keys read from each entry of a JSON targets file, first match wins. The file may be an array of entries or an
    /// object holding one under <see cref="ListKeys"/>. Adapt here if the ranking's schema names things differently.
    /// </summary>
    public static class BottleneckKeys
    {
        public static readonly string[] ListKeys = ["bottlenecks", "entries", "targets", "items"];
        public static readonly string[] Name = ["target", "function", "name", "frame", "method"];
        public static readonly string[] SelfPct = ["selfPct", "self_pct", "selfPercent", "self"];
        public static readonly string[] TotalPct = ["totalPct", "total_pct", "totalPercent", "total", "inclusivePct"];
        public static readonly string[] Category = ["category", "kind"];
        public static readonly string[] Impact = ["impact", "estimatedImpact", "estImpact", "est_impact", "maxSpeedup"];
        public static readonly string[] Strategy = ["strategy"];
    }

    /// <summary>
    /// The targets from <paramref name="targetsFile"/> when given, else from the repository's bottleneck ranking;
    /// a clear error naming both when there is neither.
    /// </summary>
    public static IReadOnlyList<AgentTarget> Resolve(string? targetsFile, string repositoryRoot)
    {
        if (targetsFile is not null)
        {
            if (!File.Exists(targetsFile))
            {
                throw new PerfloopException($"{Mention.Input("targets")}: file not found: {targetsFile}");
            }

            return NonEmpty(Parse(File.ReadAllText(targetsFile), targetsFile), targetsFile);
        }

        if (Ranking.BottlenecksFile.Load(repositoryRoot) is { } ranking)
        {
            var ranked = FromRanking(ranking);
            return ranked.Count > 0 ? ranked : throw new PerfloopException(
                $"{Ranking.BottlenecksFile.PathIn(repositoryRoot)}: no function of the repository's own code in the ranking; profile a run that exercises your code, or pass {Mention.Input("targets")} FILE");
        }

        throw new PerfloopException(
            $"no targets for the agent: pass {Mention.Input("targets")} FILE (one 'target | category | impact | strategy' per line) or rank a profile first ({Mention.Command("rank --profile FILE")} writes {Path.Combine(Configuration.PerfloopPaths.StateDirectoryName, Ranking.BottlenecksFile.FileName)})");
    }

    /// <summary>How many of the ranking's targets one run works through, best first (a run can also stop earlier with --max-experiments).</summary>
    public const int RankedTargetLimit = 10;

    /// <summary>The ranking's optimizable functions (the repository's own code), best first, with their shares and Amdahl bounds.</summary>
    public static IReadOnlyList<AgentTarget> FromRanking(Ranking.BottleneckRanking ranking) =>
        ranking.Targets.Take(RankedTargetLimit).Select(f => new AgentTarget(
            f.Function,
            f.Category,
            f.AmdahlBound is { } bound ? string.Create(CultureInfo.InvariantCulture, $"at most {bound:0.##}x (Amdahl, {f.TotalPercent:0.#}% of the run)") : "",
            "")
        {
            SelfPct = f.SelfPercent,
            TotalPct = f.TotalPercent,
            File = f.File,
        }).ToList();

    /// <summary>A targets file: JSON when it starts with '[' or '{', else the line format.</summary>
    public static IReadOnlyList<AgentTarget> Parse(string text, string source)
    {
        var trimmed = text.TrimStart();
        if (trimmed.StartsWith('[') || trimmed.StartsWith('{'))
        {
            return ParseBottlenecks(text, source);
        }

        var targets = new List<AgentTarget>();
        var lineNumber = 0;
        foreach (var raw in text.ReplaceLineEndings("\n").Split('\n'))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var fields = line.Split('|').Select(f => f.Trim()).ToArray();
            if (fields.Length > 4)
            {
                throw new PerfloopException($"{source}: line {lineNumber}: {fields.Length} fields; write 'target | category | impact | strategy' (a target cannot contain '|')");
            }

            if (fields[0].Length == 0)
            {
                throw new PerfloopException($"{source}: line {lineNumber}: the target is empty; write 'target | category | impact | strategy'");
            }

            targets.Add(new AgentTarget(fields[0], Field(fields, 1), Field(fields, 2), Field(fields, 3)));
        }

        return targets;
    }

    /// <summary>A JSON targets file, read defensively: unknown keys are ignored, several spellings accepted.</summary>
    public static IReadOnlyList<AgentTarget> ParseBottlenecks(string json, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            var line = e.LineNumber is { } l ? $"line {l + 1}: " : "";
            throw new PerfloopException($"{source}: {line}not valid JSON ({e.Message.Split('.')[0]}); expected an array of {{\"target\", \"category\", \"impact\", \"strategy\"}} objects");
        }

        using (document)
        {
            var list = document.RootElement;
            if (list.ValueKind == JsonValueKind.Object)
            {
                list = BottleneckKeys.ListKeys.Select(k => Property(document.RootElement, k)).FirstOrDefault(p => p?.ValueKind == JsonValueKind.Array)
                    ?? throw new PerfloopException($"{source}: no list of entries; expected an array, or an object with one of: {string.Join(", ", BottleneckKeys.ListKeys)}");
            }

            if (list.ValueKind != JsonValueKind.Array)
            {
                throw new PerfloopException($"{source}: expected an array of entries, found {list.ValueKind.ToString().ToLowerInvariant()}");
            }

            var targets = new List<AgentTarget>();
            var index = 0;
            foreach (var entry in list.EnumerateArray())
            {
                var name = entry.ValueKind == JsonValueKind.String ? entry.GetString() : Text(entry, BottleneckKeys.Name);
                if (string.IsNullOrWhiteSpace(name))
                {
                    throw new PerfloopException($"{source}: entry {index}: no target name; give one of: {string.Join(", ", BottleneckKeys.Name)}");
                }

                targets.Add(new AgentTarget(name.Trim(), Text(entry, BottleneckKeys.Category) ?? "", Text(entry, BottleneckKeys.Impact) ?? "", Text(entry, BottleneckKeys.Strategy) ?? "")
                {
                    SelfPct = Number(entry, BottleneckKeys.SelfPct),
                    TotalPct = Number(entry, BottleneckKeys.TotalPct),
                });
                index++;
            }

            return targets;
        }
    }

    static IReadOnlyList<AgentTarget> NonEmpty(IReadOnlyList<AgentTarget> targets, string source) =>
        targets.Count > 0 ? targets : throw new PerfloopException($"{source}: no targets in the file; add one 'target | category | impact | strategy' per line");

    static string Field(string[] fields, int index) => index < fields.Length ? fields[index] : "";

    static JsonElement? Property(JsonElement element, string key)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, key, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }

    static string? Text(JsonElement entry, string[] keys)
    {
        foreach (var key in keys)
        {
            switch (Property(entry, key))
            {
                case { ValueKind: JsonValueKind.String } s when !string.IsNullOrWhiteSpace(s.GetString()):
                    return s.GetString()!.Trim();
                case { ValueKind: JsonValueKind.Number } n:
                    return n.GetRawText();
            }
        }

        return null;
    }

    static double? Number(JsonElement entry, string[] keys)
    {
        foreach (var key in keys)
        {
            switch (Property(entry, key))
            {
                case { ValueKind: JsonValueKind.Number } n:
                    return n.GetDouble();
                case { ValueKind: JsonValueKind.String } s when double.TryParse(s.GetString()!.TrimEnd('%', ' '), NumberStyles.Float, CultureInfo.InvariantCulture, out var value):
                    return value;
            }
        }

        return null;
    }
}
