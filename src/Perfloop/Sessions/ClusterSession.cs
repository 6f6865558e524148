using Perfloop.Cluster;
using Perfloop.Configuration;
using Perfloop.Experiments;
using Perfloop.Implementers;

namespace Perfloop.Sessions;

/// <summary>
/// The glue between the experiment pipeline and the cluster: a queue of patch candidates run as Slurm jobs with the
/// repository's calibration, decided by <see cref="ClusterCoordinator"/> with <see cref="GitClusterDecisions"/>. The
/// context holds the repository lock; this is what <c>perfloop run --executor slurm</c> calls (docs/cluster.md).
/// </summary>
public static class ClusterSession
{
    /// <summary>The <c>.perfloop/</c> files an evaluation reads: the ranking and the profile the fidelity check uses.</summary>
    static readonly string[] StateFiles = ["bottlenecks.json", "profile.nettrace"];

    public static Task<ClusterJournal> RunAsync(ExperimentContext context, IReadOnlyList<PatchFile> patches, string source, ExecutorSettings settings, CancellationToken cancellationToken) =>
        RunAsync(context, patches, source, settings, executor: null, TimeSpan.FromSeconds(1), cancellationToken);

    /// <summary>The same, with another executor than the one of <paramref name="settings"/> when <paramref name="executor"/> is given (tests, a future Kubernetes executor).</summary>
    public static async Task<ClusterJournal> RunAsync(ExperimentContext context, IReadOnlyList<PatchFile> patches, string source, ExecutorSettings settings, ICandidateExecutor? executor, TimeSpan resultPollInterval, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(patches);
        ArgumentNullException.ThrowIfNull(settings);
        await context.EnsureCleanAsync(cancellationToken);
        // The nodes judge with this machine's calibration: calibrate first when the methodology has none yet.
        var threshold = context.CalibratedThresholdPct()
            ?? context.Ledger.Append(await Calibration.RunAsync(context, cancellationToken)).ThresholdPct
            ?? context.Setup.ConfiguredThresholdPct;
        var root = context.Root;
        var options = new ClusterRunOptions
        {
            Source = source,
            Candidates = patches.Select((p, i) => new JobCandidate(i, Path.GetFileName(p.Path), Path.GetFullPath(p.Path))
            {
                Summary = p.Subject,
                Target = p.ToCandidate().Target,
                Category = p.Trailer("Category"),
                Strategy = p.Trailer("Strategy"),
                Impact = p.Trailer("Impact"),
            }).ToList(),
            Jobs = settings.Jobs,
            ThresholdPct = threshold,
            Methodology = context.Setup.Methodology,
            JudgingMetric = context.JudgingMetric().Name,
            StateFiles = StateFiles.Select(f => Path.Combine(PerfloopPaths.StateDirectory(root), f)).Where(File.Exists).ToList(),
            ResultPollInterval = resultPollInterval,
            SchedulerPollInterval = TimeSpan.FromSeconds(settings.PollSeconds),
        };
        var layout = new ClusterLayout(root, settings.SharedDirectory ?? ClusterLayout.DefaultShared(root));
        var coordinator = new ClusterCoordinator(
            executor ?? new SlurmExecutor(new SlurmClient(context.Services.Runner, root), settings),
            new GitClusterRepository(context.Repository),
            new GitClusterDecisions(context, patches),
            layout,
            context.Reporter,
            context.Services.Clock);
        return await coordinator.RunAsync(options, cancellationToken);
    }
}
