using System.Globalization;
using Perfloop.Compare;
using Perfloop.Configuration;
using Perfloop.Git;
using Perfloop.Experiments;

namespace Perfloop.Policies;

/// <summary>A cut milestone: its version, branch and the cumulative figure measured end to end.</summary>
public sealed record MilestoneResult(int Version, string Branch, string Line, string Cumulative);

/// <summary>
/// Every N keeps: the session baseline's commit against HEAD with the end-to-end compare (each built in its own
/// worktree, interleaved, the loop's statistics); then a branch ref <c>perfloop/milestone-vN</c> (never checked out, never pushed).
/// </summary>
public static class Milestones
{
    public const string BranchPrefix = "perfloop/milestone-v";

    public static async Task<MilestoneResult> CutAsync(Workspace workspace, string baselineCommit, int kept, int total, CancellationToken cancellationToken)
    {
        var git = workspace.Repository.Git;
        var existing = await git.RunAsync(["for-each-ref", "--format=%(refname:short)", "refs/heads/perfloop/"], cancellationToken);
        var version = 1 + existing.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(b => b.StartsWith(BranchPrefix, StringComparison.Ordinal) && int.TryParse(b[BranchPrefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0)
            .DefaultIfEmpty(0).Max();
        var branch = BranchPrefix + version.ToString(CultureInfo.InvariantCulture);
        var directory = Path.Combine(PerfloopPaths.StateDirectory(workspace.Root), "milestones", $"v{version.ToString(CultureInfo.InvariantCulture)}");
        Directory.CreateDirectory(directory);

        workspace.Reporter.Status($"[milestone] v{version.ToString(CultureInfo.InvariantCulture)}: full benchmark of the session baseline {CommitId.Abbreviate(baselineCommit)} against HEAD...");
        var head = await workspace.Repository.HeadAsync(cancellationToken);
        var threshold = workspace.CalibratedThresholdPct() ?? workspace.ConfiguredThresholdPct;
        var config = workspace.Config with { Thresholds = workspace.Config.Thresholds with { KeepPct = threshold } };
        // The same end-to-end comparison as 'perfloop compare': both commits built in their own worktrees, interleaved.
        var report = await EndToEndComparer.CompareAsync(workspace.Repository, config, baselineCommit, head, workspace.Config.EndToEnd.Bench, null, cancellationToken);
        var bench = report.Benchmarks[0];
        await File.WriteAllTextAsync(Path.Combine(directory, "compare.md"), CompareFormatter.Markdown(report), cancellationToken);

        var cumulative = bench.Verdict == CompareVerdict.Failed
            ? $"{report.Metric} not measured ({bench.Failure})"
            : $"{report.Metric} {Value(bench.BaseMedian, report.Unit)} → {Value(bench.HeadMedian, report.Unit)} ({Interval(bench)}; {(bench.Speedup(report.Direction) is { } x ? x.ToString("0.##", CultureInfo.InvariantCulture) : "?")}x)";

        await git.RunAsync(["branch", branch, head], cancellationToken);
        var line = $"[milestone] v{version.ToString(CultureInfo.InvariantCulture)} — {kept.ToString(CultureInfo.InvariantCulture)}/{total.ToString(CultureInfo.InvariantCulture)} experiments, cumulative {cumulative}";
        return new MilestoneResult(version, branch, line, cumulative);
    }

    static string Value(double? value, string unit) => value is { } v ? StatusLines.Measure(v, unit) : "?";

    static string Interval(BenchmarkComparison bench)
    {
        if (bench.Estimate is not { } e)
        {
            return "no estimate";
        }

        var level = (e.ConfidenceLevel * 100).ToString("0.##", CultureInfo.InvariantCulture);
        return $"{KeepDiscardDecision.Signed(e.DeltaPct)}%, {level}% CI {KeepDiscardDecision.Signed(e.LowPct)}…{KeepDiscardDecision.Signed(e.HighPct)}%, {bench.Pairs.ToString(CultureInfo.InvariantCulture)} runs";
    }
}
