using System.Text.RegularExpressions;
using Perfloop.Statistics;

namespace Perfloop.Configuration;

/// <summary>
/// The words perfloop.json uses for metrics: Perfloop's own metric names, how a user's metric may be spelled, the goals,
/// JSON paths, BenchmarkDotNet's metric names and the instruction counters. The file is checked against them here;
/// Measurement reads runs by the same names (its <c>MetricNames</c>, <c>MetricSelection</c>, <c>JsonMetrics</c> and
/// <c>BenchmarkDotNetReport</c> use these definitions), so the two can never disagree.
/// </summary>
public static partial class MetricVocabulary
{
    public const string WallMs = "wall_ms";
    public const string CpuMs = "cpu_ms";
    public const string PeakRssMb = "peak_rss_mb";

    /// <summary>Instructions retired by every process of a run, from the instruction counter (callgrind or perf).</summary>
    public const string Instructions = "instructions";

    public const string LowerGoal = "lower";
    public const string HigherGoal = "higher";

    /// <summary>Every metric read from a BenchmarkDotNet export starts so.</summary>
    public const string BenchmarkDotNetPrefix = "bdn.";
    public const string BenchmarkDotNetMedianSuffix = "median_ns";
    public const string BenchmarkDotNetMeanSuffix = "mean_ns";
    public const string BenchmarkDotNetAllocatedSuffix = "allocated_bytes";

    /// <summary><c>measurement.instructionCounter</c>'s values: perf where it counts, else callgrind; or one of them.</summary>
    public static IReadOnlyList<string> InstructionCounters { get; } = ["auto", "callgrind", "perf"];

    /// <summary>Whether a name can be stored in samples.tsv (which reserves = ; tab and newlines).</summary>
    public static bool IsValidName(string name) => name.Length > 0 && ValidName().IsMatch(name);

    /// <summary>"lower" or "higher" (any case); <c>null</c> for a missing or unknown word.</summary>
    public static MetricDirection? ParseGoal(string? goal) => goal?.Trim().ToLowerInvariant() switch
    {
        LowerGoal => MetricDirection.LowerIsBetter,
        HigherGoal => MetricDirection.HigherIsBetter,
        _ => null,
    };

    /// <summary>The direction of the metrics Perfloop measures or reads itself; <c>null</c> for a user's own metric.</summary>
    public static MetricDirection? KnownDirection(string name) =>
        name is WallMs or CpuMs or PeakRssMb or Instructions || IsBenchmarkDotNetName(name)
            ? MetricDirection.LowerIsBetter
            : null;

    /// <summary>Whether a metric name is one BenchmarkDotNet's export gives, whatever the benchmark.</summary>
    public static bool IsBenchmarkDotNetName(string name) =>
        name.StartsWith(BenchmarkDotNetPrefix, StringComparison.Ordinal)
        && (name.EndsWith(BenchmarkDotNetMedianSuffix, StringComparison.Ordinal)
            || name.EndsWith(BenchmarkDotNetMeanSuffix, StringComparison.Ordinal)
            || name.EndsWith(BenchmarkDotNetAllocatedSuffix, StringComparison.Ordinal));

    /// <summary>A JSON path's segments (<c>a.b[0].c</c>, optionally after <c>$.</c>), or <c>null</c> when it is not one.</summary>
    public static IReadOnlyList<string>? JsonPathSegments(string path)
    {
        var normalized = path.Trim();
        if (normalized.StartsWith("$.", StringComparison.Ordinal))
        {
            normalized = normalized[2..];
        }

        normalized = normalized.Replace("[", ".", StringComparison.Ordinal).Replace("]", "", StringComparison.Ordinal);
        var segments = normalized.Split('.');
        return normalized.Length == 0 || segments.Any(s => s.Length == 0) ? null : segments;
    }

    [GeneratedRegex(@"^[A-Za-z0-9_.\-:(),\[\]]+$")]
    private static partial Regex ValidName();
}
