using System.Globalization;
using Perfloop.Configuration;
using Perfloop.Experiments;
using Perfloop.Measurement;
using Perfloop.Statistics;

namespace Perfloop.Policies;

/// <summary>A cut milestone: its version, branch and the cumulative figure measured end to end.</summary>
public sealed record MilestoneResult(int Version, string Branch, string Line, string Cumulative);

/// <summary>
/// Every N keeps: the session baseline's commit against HEAD, built in a worktree and measured interleaved with the
/// loop's own benchmark and statistics; then a branch ref <c>perfloop/milestone-vN</c> (never checked out, never pushed).
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

        workspace.Reporter.Status($"[milestone] v{version.ToString(CultureInfo.InvariantCulture)}: full benchmark of the session baseline {Workspace.Abbreviate(baselineCommit)} against HEAD...");
        var tree = await workspace.BaselineTreeAsync(baselineCommit, cancellationToken);
        // The work tree holds HEAD; the restore after the KEEP may have dropped untracked build output.
        await workspace.BuildAsync(workspace.Root, Path.Combine(directory, "head-build.log"), cancellationToken);
        var m = workspace.Config.Measurement;
        var plan = new MeasurementPlan(m.WarmupRuns, new SequentialDesign(m.MinRuns, m.MaxRuns), TimeSpan.FromSeconds(m.MaxSeconds), TimeSpan.FromSeconds(workspace.Config.Timeouts.BenchSeconds), m.Seed + (version * 104729));
        var benchmark = new InterleavedBenchmark(workspace.Runner, workspace.Config.Bench, workspace.Metric, workspace.Direction);
        var threshold = workspace.CalibratedThresholdPct() ?? workspace.ConfiguredThresholdPct;
        var comparison = await benchmark.RunAsync(tree.Directory, workspace.Root, plan, threshold, null, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, "samples.tsv"), SampleTable.Format(comparison.Samples), cancellationToken);

        string cumulative;
        if (comparison.Failure is { } failure)
        {
            cumulative = $"{workspace.Metric} not measured ({failure.Side.ToString().ToLowerInvariant()} run {failure.Message})";
        }
        else
        {
            var before = Workspace.Median(comparison.Values(Side.Baseline, workspace.Metric));
            var after = Workspace.Median(comparison.Values(Side.Candidate, workspace.Metric));
            cumulative = $"{workspace.Metric} {StatusLines.Measure(before, workspace.Unit)} → {StatusLines.Measure(after, workspace.Unit)} ({StatusLines.Interval(comparison.Result!)}; {(after > 0 ? (before / after).ToString("0.##", CultureInfo.InvariantCulture) : "?")}x)";
        }

        var head = await workspace.Repository.HeadAsync(cancellationToken);
        await git.RunAsync(["branch", branch, head], cancellationToken);
        var line = $"[milestone] v{version.ToString(CultureInfo.InvariantCulture)} — {kept.ToString(CultureInfo.InvariantCulture)}/{total.ToString(CultureInfo.InvariantCulture)} experiments, cumulative {cumulative}";
        return new MilestoneResult(version, branch, line, cumulative);
    }
}
