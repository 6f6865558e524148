using System.Diagnostics;
using System.Globalization;
using Perfloop.Configuration;
using Perfloop.Errors;
using Perfloop.Git;
using Perfloop.Measurement;
using Perfloop.Processes;
using Perfloop.Statistics;

namespace Perfloop.Compare;

/// <summary>
/// Compares two refs end to end: each is checked out in its own temporary worktree, built once, and the
/// benchmark runs interleaved between the two with the sequential test. The worktrees are removed however
/// the comparison ends.
/// </summary>
/// <remarks>
/// It does not prune leftover worktrees itself: a caller may hold live worktrees of its own (the loop's
/// baseline). Callers that own the repository (the <c>compare</c> verb) call
/// <see cref="GitRepository.PruneWorktreesAsync"/> first.
/// </remarks>
public static class EndToEndComparer
{
    /// <summary>The loop's entry point: <paramref name="benchOverride"/> replaces the config's bench when given.</summary>
    public static Task<CompareReport> CompareAsync(
        GitRepository repository,
        PerfloopConfig config,
        string baseRef,
        string headRef,
        string? benchOverride,
        ICompareProgress? progress,
        CancellationToken cancellationToken) =>
        CompareAsync(repository, config, new CompareRequest(baseRef, headRef) { Benchmarks = benchOverride is null ? [] : [benchOverride] }, progress, cancellationToken);

    public static async Task<CompareReport> CompareAsync(
        GitRepository repository,
        PerfloopConfig config,
        CompareRequest request,
        ICompareProgress? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(request);
        var clock = Stopwatch.StartNew();
        var started = DateTimeOffset.UtcNow;
        var domain = Domains.Domains.Find(config.Domain)
            ?? throw new PerfloopException($"{PerfloopConfig.FileName}: $.domain: unknown domain '{config.Domain}'; use one of {Domains.Domains.Names}");
        var benchmarks = request.Benchmarks.Count > 0 ? request.Benchmarks : [config.Bench];
        if (benchmarks.Any(string.IsNullOrWhiteSpace))
        {
            throw new PerfloopException($"no benchmark command: pass {Mention.Input("bench")} CMD or set \"bench\" in {PerfloopConfig.FileName}");
        }

        var build = request.Build ?? config.Build;
        var metric = request.Metric ?? MetricSelection.Select(config, domain);
        var direction = metric.Direction;
        var threshold = request.ThresholdPct ?? KeepThreshold.Configured(config, domain);
        var design = new SequentialDesign(config.Measurement.MinRuns, config.Measurement.MaxRuns);
        var counter = request.Counter ?? await InstructionCounter.ForConfigAsync(repository.Runner, config, repository.Root, cancellationToken);

        var baseInfo = await ResolveAsync(repository, request.BaseRef, cancellationToken);
        var headInfo = await ResolveAsync(repository, request.HeadRef, cancellationToken);

        progress?.Stage($"checking out base {CommitId.Abbreviate(baseInfo.Commit)} and head {CommitId.Abbreviate(headInfo.Commit)} in temporary worktrees");
        await using var baseTree = await repository.AddWorktreeAsync(baseInfo.Commit, cancellationToken);
        await using var headTree = await repository.AddWorktreeAsync(headInfo.Commit, cancellationToken);

        var buildTimeout = TimeSpan.FromSeconds(config.Timeouts.BuildSeconds);
        foreach (var (label, tree) in new[] { ("base", baseTree), ("head", headTree) })
        {
            if (string.IsNullOrWhiteSpace(build))
            {
                continue;
            }

            progress?.Stage($"building {label} {CommitId.Abbreviate(tree.Commit)}: {build}");
            var result = await repository.Runner.RunAsync(CommandSpec.Shell(build, tree.Directory) with { Timeout = buildTimeout }, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            if (!result.Succeeded)
            {
                var why = result.TimedOut
                    ? string.Create(CultureInfo.InvariantCulture, $"timed out after {buildTimeout.TotalSeconds:0}s")
                    : $"exit code {result.ExitCode}: {LastLine(result.StderrText + "\n" + result.StdoutText)}";
                throw new PerfloopException($"the {label} {CommitId.Abbreviate(tree.Commit)} does not build ({why}); check the build command '{build}'", ExitCodes.Failure);
            }
        }

        var plan = new MeasurementPlan(
            config.Measurement.WarmupRuns,
            design,
            TimeSpan.FromSeconds(config.Measurement.MaxSeconds),
            TimeSpan.FromSeconds(config.Timeouts.BenchSeconds),
            config.Measurement.Seed);
        var comparisons = new List<BenchmarkComparison>();
        for (var i = 0; i < benchmarks.Count; i++)
        {
            var command = benchmarks[i];
            var name = benchmarks.Count == 1 ? "bench" : string.Create(CultureInfo.InvariantCulture, $"bench{i + 1}");
            progress?.Stage($"benchmarking {name} ({command}): base and head interleaved, {design.MinPairs}–{design.MaxPairs} pairs");
            var benchmark = new InterleavedBenchmark(repository.Runner, command, metric, counter);
            var comparison = await benchmark.RunAsync(baseTree.Directory, headTree.Directory, plan, threshold, progress, cancellationToken);
            comparisons.Add(Summarize(name, command, metric.Name, comparison));
        }

        return new CompareReport
        {
            Base = baseInfo,
            Head = headInfo,
            Domain = domain.Name,
            Metric = metric.Name,
            Unit = metric.Unit,
            Direction = direction,
            ThresholdPct = threshold,
            Alpha = design.Alpha,
            Benchmarks = comparisons,
            Started = started,
            Elapsed = clock.Elapsed,
        };
    }

    /// <summary>Turns the raw comparison into the report's figures; pure, so it is tested without processes.</summary>
    public static BenchmarkComparison Summarize(string name, string command, string metric, Comparison comparison)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        var baseRuns = comparison.Samples.Where(s => s.Side == Side.Baseline).OrderBy(s => s.Pair).ThenBy(s => s.Order).ToList();
        var headRuns = comparison.Samples.Where(s => s.Side == Side.Candidate).OrderBy(s => s.Pair).ThenBy(s => s.Order).ToList();
        var baseValues = baseRuns.Select(s => s.Value(metric)).OfType<double>().ToList();
        var headValues = headRuns.Select(s => s.Value(metric)).OfType<double>().ToList();

        var metricNames = comparison.Samples.SelectMany(s => s.Metrics.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var allocationName = metricNames.FirstOrDefault(n => n.Contains("alloc", StringComparison.OrdinalIgnoreCase));
        var result = comparison.Result;
        var verdict = comparison.Failure is not null || result is null
            ? CompareVerdict.Failed
            : result.Verdict switch
            {
                Verdict.Improved => CompareVerdict.Better,
                Verdict.Regressed => CompareVerdict.Worse,
                Verdict.Equivalent => CompareVerdict.Same,
                _ => CompareVerdict.Inconclusive,
            };

        return new BenchmarkComparison
        {
            Name = name,
            Command = command,
            BaseMedian = Statistics.Median.Of(baseValues),
            HeadMedian = Statistics.Median.Of(headValues),
            Estimate = comparison.Failure is null ? result?.Estimate : null,
            Verdict = verdict,
            SignificantlyWorse = comparison.Failure is null && result is { SignificantlyWorse: true },
            SignificantlyBetter = comparison.Failure is null && result is { SignificantlyBetter: true },
            Pairs = comparison.Pairs,
            StopReason = comparison.StopReason,
            Failure = comparison.Failure is { } f ? $"{(f.Side == Side.Baseline ? "base" : "head")} run {f.Message}" : null,
            PeakRssMb = KnownForAll(MetricNames.PeakRssMb, baseRuns, headRuns),
            Allocations = allocationName is null ? null : KnownForAll(allocationName, baseRuns, headRuns),
            Metrics = metricNames.Where(n => n != allocationName && n != metric)
                .Select(n => KnownForAll(n, baseRuns, headRuns))
                .OfType<MedianPair>()
                .ToList(),
            BaseSamples = baseValues,
            HeadSamples = headValues,
            Elapsed = comparison.Elapsed,
        };
    }

    /// <summary>
    /// Medians of a figure per side, only when every run of that side reported it: a median over the runs that
    /// happened to report it would be biased (peak RSS is unknown exactly when it is small).
    /// </summary>
    static MedianPair? KnownForAll(string name, List<RunSample> baseRuns, List<RunSample> headRuns)
    {
        double? Side(List<RunSample> runs) =>
            runs.Count > 0 && runs.All(r => r.Value(name) is not null) ? Statistics.Median.Of(runs.Select(r => r.Value(name)!.Value)) : null;

        var pair = new MedianPair(name, Side(baseRuns), Side(headRuns));
        return pair.Base is null && pair.Head is null ? null : pair;
    }

    static async Task<RefInfo> ResolveAsync(GitRepository repository, string reference, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(reference) || reference.StartsWith('-'))
        {
            throw new PerfloopException($"'{reference}' is not a git revision; give a commit, branch or tag such as main or HEAD~1");
        }

        var commit = await repository.ResolveCommitAsync(reference, cancellationToken)
            ?? throw new PerfloopException($"unknown revision '{reference}' in {repository.Root}; give a commit, branch or tag (git log --oneline shows them)");
        return new RefInfo(reference, commit, await repository.SubjectAsync(commit, cancellationToken));
    }

    static string LastLine(string text)
    {
        var lines = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        return lines.Count == 0 ? "(no output)" : lines[^1];
    }
}
