using Perfloop.Compare;
using Perfloop.Configuration;
using Perfloop.Experiments;
using Perfloop.Policies;

namespace Perfloop.Sessions;

/// <summary>
/// Cuts a milestone: the session baseline's commit against HEAD with the end-to-end compare (both built in their own
/// worktrees, interleaved, the session's metric and threshold), <c>compare.md</c> kept, then the branch ref.
/// </summary>
public static class MilestoneStep
{
    public static async Task<MilestoneResult> CutAsync(ExperimentContext context, string baselineCommit, int kept, int total, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var repository = context.Repository;
        var version = Milestones.NextVersion(await repository.BranchesAsync("perfloop/", cancellationToken));
        var directory = Path.Combine(PerfloopPaths.StateDirectory(context.Root), "milestones", $"v{version.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        Directory.CreateDirectory(directory);
        context.Reporter.Status(Milestones.StartLine(version, baselineCommit));
        var head = await repository.HeadAsync(cancellationToken);
        var request = new CompareRequest(baselineCommit, head)
        {
            Benchmarks = context.Setup.Config.EndToEnd.Bench is { } bench ? [bench] : [],
            Metric = context.JudgingMetric(),
            ThresholdPct = context.ThresholdPct(),
        };
        var report = await EndToEndComparer.CompareAsync(repository, context.Setup.Config, request, null, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, "compare.md"), CompareFormatter.Markdown(report), cancellationToken);
        var result = Milestones.Result(version, kept, total, report);
        await repository.CreateBranchAsync(result.Branch, head, cancellationToken);
        return result;
    }
}
