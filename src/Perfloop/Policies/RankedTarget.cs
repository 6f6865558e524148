using System.Globalization;
using System.Text.Json;
using Perfloop.Configuration;
using Perfloop.Errors;

namespace Perfloop.Policies;

/// <summary>
/// One ranked function, as the loop's judgement needs it: the bottleneck ranking (<c>.perfloop/bottlenecks.json</c>,
/// schema perfloop.bottlenecks/v1) maps onto it field by field.
/// </summary>
/// <param name="Name">Function (display name).</param>
/// <param name="File">Source file when known, repository-relative.</param>
/// <param name="SelfPercent">Share of samples where it is the leaf.</param>
/// <param name="TotalPercent">Inclusive share of samples.</param>
/// <param name="Category">A guess at the kind of work.</param>
/// <param name="AmdahlBound">Max whole-program speedup if its inclusive time went to zero; null when unbounded.</param>
/// <param name="Optimizable">Code of the repository that a change can make faster.</param>
/// <param name="NotOptimizableReason">Why not, when <paramref name="Optimizable"/> is false.</param>
public sealed record RankedTarget(
    string Name,
    string? File,
    double SelfPercent,
    double TotalPercent,
    string Category,
    double? AmdahlBound,
    bool Optimizable,
    string? NotOptimizableReason = null)
{
    /// <summary>"34.0% of time, ≤1.52x" — the spec's est. impact.</summary>
    public string ImpactText => AmdahlBound is { } bound
        ? string.Create(CultureInfo.InvariantCulture, $"{TotalPercent:0.#}% of time, ≤{bound:0.##}x")
        : string.Create(CultureInfo.InvariantCulture, $"{TotalPercent:0.#}% of time");
}

/// <summary>What a profile says about the runtime (from a .NET trace); inputs of the memory escalation.</summary>
public sealed record RuntimeFigures(double DurationMs, double GcPauseMs, long AllocatedBytes)
{
    public double GcPauseSharePct => DurationMs > 0 ? Math.Min(100, 100 * GcPauseMs / DurationMs) : 0;
}

/// <summary>The ranking as this folder reads it: targets best first, and runtime figures when the profile had them.</summary>
public sealed record RankingSnapshot(IReadOnlyList<RankedTarget> Targets, RuntimeFigures? Runtime, string? HeadSha)
{
    public static RankingSnapshot Empty { get; } = new([], null, null);

    public const string FileName = "bottlenecks.json";

    public const string Schema = "perfloop.bottlenecks/v1";

    public static string PathIn(string repositoryRoot) => Path.Combine(PerfloopPaths.StateDirectory(repositoryRoot), FileName);

    /// <summary>The ranking engine's result, as the policies read it.</summary>
    public static RankingSnapshot From(Ranking.BottleneckRanking ranking)
    {
        ArgumentNullException.ThrowIfNull(ranking);
        var targets = ranking.Functions.Select(f => new RankedTarget(f.Function, f.File, f.SelfPercent, f.TotalPercent, f.Category, f.AmdahlBound, f.Optimizable, f.NotOptimizableReason)).ToList();
        var runtime = ranking.Runtime is { } r ? new RuntimeFigures(r.DurationMs, r.GcPauseMs, r.AllocationTickBytes) : null;
        return new RankingSnapshot(targets, runtime, ranking.HeadSha);
    }

    public static RankingSnapshot Parse(string json, string source = FileName)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var schema = root.TryGetProperty("schema", out var s) ? s.GetString() : null;
            if (schema != Schema)
            {
                throw new PerfloopException($"{source}: schema '{schema}' is not {Schema}; rebuild it with {Mention.Command("rank")} or {Mention.Command("profile")}");
            }

            var targets = new List<RankedTarget>();
            if (root.TryGetProperty("functions", out var functions))
            {
                foreach (var f in functions.EnumerateArray())
                {
                    targets.Add(new RankedTarget(
                        Text(f, "function") ?? "",
                        Text(f, "file"),
                        Number(f, "selfPercent") ?? 0,
                        Number(f, "totalPercent") ?? 0,
                        Text(f, "category") ?? "",
                        Number(f, "amdahlBound"),
                        f.TryGetProperty("optimizable", out var o) && o.ValueKind == JsonValueKind.True,
                        Text(f, "notOptimizableReason")));
                }
            }

            RuntimeFigures? runtime = null;
            if (root.TryGetProperty("runtime", out var r) && r.ValueKind == JsonValueKind.Object)
            {
                runtime = new RuntimeFigures(Number(r, "durationMs") ?? 0, Number(r, "gcPauseMs") ?? 0, (long)(Number(r, "allocationTickBytes") ?? 0));
            }

            return new RankingSnapshot(targets, runtime, Text(root, "headSha"));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new PerfloopException($"{source}: not a readable ranking ({e.Message.Split('.')[0]}); rebuild it with {Mention.Command("rank")}");
        }
    }

    static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    static double? Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;
}
