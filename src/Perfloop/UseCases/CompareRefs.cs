using Perfloop.Compare;
using Perfloop.Configuration;
using Perfloop.Errors;
using Perfloop.Experiments;
using Perfloop.Git;
using Perfloop.Measurement;

namespace Perfloop.UseCases;

/// <summary>Two refs to compare; <see cref="Benchmarks"/> and <see cref="Build"/> override perfloop.json's (and replace it when there is none).</summary>
public sealed record CompareOptions(string Directory, string BaseRef, string HeadRef)
{
    public IReadOnlyList<string> Benchmarks { get; init; } = [];

    public string? Build { get; init; }

    public ICompareProgress? Progress { get; init; }
}

/// <summary>
/// <c>compare</c>, for the CLI and the MCP tool alike: each ref built in its own temporary worktree, benchmarked
/// interleaved, judged with an interval. Owns the repository while it runs, so it first removes worktrees a killed run left.
/// </summary>
public static class CompareRefs
{
    public static async Task<CompareReport> RunAsync(EngineServices services, CompareOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        var repository = await GitRepository.OpenAsync(services.Runner, options.Directory, cancellationToken);
        var config = File.Exists(ConfigStore.PathIn(repository.Root))
            ? ConfigStore.Load(repository.Root)
            : options.Benchmarks.Count > 0
                ? new PerfloopConfig { Bench = options.Benchmarks[0] }
                : throw new PerfloopException($"no {PerfloopConfig.FileName} in {repository.Root} and no benchmark given; pass {Mention.Input("bench")} CMD (and {Mention.Input("build")} CMD), or run {Mention.Command("init")}");
        await repository.PruneWorktreesAsync(cancellationToken);
        var domain = Domains.Domains.Find(config.Domain)!;
        var request = new CompareRequest(options.BaseRef, options.HeadRef)
        {
            Benchmarks = options.Benchmarks,
            Build = options.Build,
            Metric = MetricSelection.Select(config, domain),
            ThresholdPct = KeepThreshold.Configured(config, domain),
        };
        return await EndToEndComparer.CompareAsync(repository, config, request, options.Progress, cancellationToken);
    }
}
