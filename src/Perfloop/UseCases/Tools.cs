using Perfloop.Compare;
using Perfloop.Configuration;
using Perfloop.Experiments;
using Perfloop.Git;
using Perfloop.Implementers.Knobs;
using Perfloop.Init;
using Perfloop.Methods;
using Perfloop.Profiling;
using Perfloop.Ranking;

namespace Perfloop.UseCases;

/// <summary>The runtime knobs the benchmarked project sets, each measured against its default.</summary>
public sealed record KnobAuditOptions(string Directory, ICompareProgress? Progress = null);

public sealed record KnobAuditResult(string ProjectFile, IReadOnlyList<KnobAuditEntry> Entries);

/// <summary>Set-up, profiling and the .NET method tools: one engine call each, here so every front end calls the same.</summary>
public static class Tools
{
    /// <summary>Sets the repository up; a bench started through a version-manager shim gets an advice line naming the real program.</summary>
    public static async Task<InitResult> InitAsync(EngineServices services, InitOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        var result = await ProjectInitializer.InitAsync(services.Runner, options, cancellationToken);
        foreach (var shim in await VersionManagerShims.FindAsync(services.Runner, options.Bench, result.RepositoryRoot, cancellationToken))
        {
            services.Reporter.Detail($"advice: {shim.Advice}");
        }

        return result;
    }

    public static Task<RankingWorkflow.Outcome> RankAsync(EngineServices services, string directory, string profilePath, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        return RankingWorkflow.RankAsync(services.Runner, directory, profilePath, cancellationToken);
    }

    public static Task<ProfileRecorder.Outcome> ProfileAsync(EngineServices services, ProfileRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        return ProfileRecorder.RecordAndRankAsync(services.Runner, request, cancellationToken);
    }

    public static async Task<KnobAuditResult> AuditKnobsAsync(EngineServices services, KnobAuditOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        var repository = await GitRepository.OpenAsync(services.Runner, options.Directory, cancellationToken);
        var config = ConfigStore.Load(repository.Root);
        await repository.PruneWorktreesAsync(cancellationToken);
        var entries = await KnobAudit.RunAsync(repository, config, options.Progress, cancellationToken);
        return new KnobAuditResult(ProjectLocator.Find(repository.Root, config.Build), entries);
    }

    /// <summary>One candidate's whole evaluation on a cluster node, for the job script of <c>run --executor slurm</c>.</summary>
    public static Task<Cluster.ClusterJobResult> ClusterJobAsync(EngineServices services, string requestPath, CancellationToken cancellationToken) =>
        Sessions.ClusterJob.RunAsync(requestPath, services, cancellationToken);

    public static MethodOracleReport CompareMethod(MethodOracleRequest request) => MethodOracle.Compare(request);

    public static MethodBenchmarkReport BenchmarkMethod(MethodBenchmarkRequest request, CancellationToken cancellationToken) => MethodBenchmark.Run(request, cancellationToken);
}
