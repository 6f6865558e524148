using System.Globalization;
using Perfloop.Compare;
using Perfloop.Git;
using Perfloop.Statistics;

namespace Perfloop.Policies;

/// <summary>A cut milestone: its version, branch and the cumulative figure measured end to end.</summary>
public sealed record MilestoneResult(int Version, string Branch, string Line, string Cumulative);

/// <summary>
/// Every N keeps: the session baseline's commit against HEAD with the end-to-end compare, then a branch ref
/// <c>perfloop/milestone-vN</c> (never checked out, never pushed). The naming and wording, as pure functions.
/// </summary>
public static class Milestones
{
    public const string BranchPrefix = "perfloop/milestone-v";

    /// <summary>The next milestone version after the branches that exist (1 when there are none).</summary>
    public static int NextVersion(IEnumerable<string> branches) =>
        1 + branches
            .Select(b => b.StartsWith(BranchPrefix, StringComparison.Ordinal) && int.TryParse(b[BranchPrefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0)
            .DefaultIfEmpty(0).Max();

    public static string Branch(int version) => BranchPrefix + version.ToString(CultureInfo.InvariantCulture);

    public static string StartLine(int version, string baselineCommit) =>
        $"[milestone] v{version.ToString(CultureInfo.InvariantCulture)}: full benchmark of the session baseline {CommitId.Abbreviate(baselineCommit)} against HEAD...";

    /// <summary>The spec's milestone line and its cumulative figure, from the end-to-end comparison.</summary>
    public static MilestoneResult Result(int version, int kept, int total, CompareReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var bench = report.Benchmarks[0];
        var cumulative = bench.Verdict == CompareVerdict.Failed
            ? $"{report.Metric} not measured ({bench.Failure})"
            : $"{report.Metric} {Value(bench.BaseMedian, report.Unit)} → {Value(bench.HeadAtRatio, report.Unit)} ({Interval(bench)}; {(bench.Speedup(report.Direction) is { } x ? x.ToString("0.##", CultureInfo.InvariantCulture) : "?")}x)";
        var line = $"[milestone] v{version.ToString(CultureInfo.InvariantCulture)} — {kept.ToString(CultureInfo.InvariantCulture)}/{total.ToString(CultureInfo.InvariantCulture)} experiments, cumulative {cumulative}";
        return new MilestoneResult(version, Branch(version), line, cumulative);
    }

    static string Value(double? value, string unit) => value is { } v ? Figures.Measure(v, unit) : "?";

    static string Interval(BenchmarkComparison bench)
    {
        if (bench.Estimate is not { } e)
        {
            return "no estimate";
        }

        return Figures.Interval(e with { Pairs = bench.Pairs });
    }
}
