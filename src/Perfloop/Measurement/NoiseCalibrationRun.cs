using System.Globalization;
using Perfloop.Configuration;
using Perfloop.Errors;
using Perfloop.Git;
using Perfloop.Processes;
using Perfloop.Statistics;

namespace Perfloop.Measurement;

/// <summary>What <c>perfloop calibrate</c> measured: the A/A noise, the threshold it implies, and every run.</summary>
public sealed record CalibrationReport(
    string Commit,
    string Domain,
    SelectedMetric Metric,
    double ConfiguredThresholdPct,
    NoiseEstimate Noise,
    RatioEstimate Estimate,
    double FirstMedian,
    double SecondMedian,
    IReadOnlyList<RunSample> Samples,
    TimeSpan Elapsed)
{
    /// <summary>The metric a session started now would judge on, chosen by the same evidence (<see cref="MetricChooser"/>), with its own threshold.</summary>
    public MetricChoice? Choice { get; init; }
}

/// <summary>
/// An A/A run on demand: HEAD built in a temporary worktree against the work tree at HEAD, interleaved like any
/// comparison, for a fixed number of pairs. Its pair-to-pair spread is the machine's noise for this benchmark, and
/// max(threshold, k × noise) the threshold a session started now would use. Nothing is recorded in results.tsv.
/// </summary>
public sealed class NoiseCalibrationRun(IProcessRunner runner)
{
    public async Task<CalibrationReport> RunAsync(string directory, int? pairs, IMeasurementProgress? progress, CancellationToken cancellationToken)
    {
        var repository = await GitRepository.OpenAsync(runner, directory, cancellationToken);
        var config = ConfigStore.Load(repository.Root);
        var domain = Domains.Domains.Find(config.Domain)!;
        var metric = MetricSelection.Select(config, domain);
        var runs = pairs ?? config.Measurement.CalibrationRuns;
        if (runs < 3)
        {
            throw new PerfloopException($"--runs must be at least 3 pairs (is {runs})");
        }

        var head = await repository.HeadAsync(cancellationToken);
        await repository.EnsureNoOperationInProgressAsync(cancellationToken);
        var dirty = await repository.ChangedPathsAsync(cancellationToken);
        if (dirty.Count > 0)
        {
            throw new PerfloopException(
                $"the work tree has uncommitted changes ({dirty[0]}{(dirty.Count > 1 ? $" and {dirty.Count - 1} more" : "")}); an A/A run needs it at HEAD: commit or stash them first");
        }

        await repository.PruneWorktreesAsync(cancellationToken);
        await using var baseline = await repository.AddWorktreeAsync(head, cancellationToken);
        await BuildAsync(config, baseline.Directory, "the baseline worktree", cancellationToken);
        await BuildAsync(config, repository.Root, "the work tree", cancellationToken);

        var configured = KeepThreshold.Configured(config, domain);
        var plan = new MeasurementPlan(
            config.Measurement.WarmupRuns,
            new SequentialDesign(runs, runs),
            TimeSpan.FromSeconds(config.Measurement.MaxSeconds),
            TimeSpan.FromSeconds(config.Timeouts.BenchSeconds),
            config.Measurement.Seed);
        var counter = await InstructionCounter.ForConfigAsync(runner, config, repository.Root, cancellationToken);
        var comparison = await new InterleavedBenchmark(runner, config.Bench, metric, counter)
            .RunAsync(baseline.Directory, repository.Root, plan, configured, progress, cancellationToken);
        if (comparison.Failure is { } failure)
        {
            throw new PerfloopException($"the benchmark fails on the unchanged code ({failure.Side.ToString().ToLowerInvariant()} run: {failure.Message}); fix the bench command in {PerfloopConfig.FileName}", ExitCodes.Failure);
        }

        var first = comparison.Values(Side.Baseline, metric.Name);
        var second = comparison.Values(Side.Candidate, metric.Name);
        if (first.Count < 3)
        {
            throw new PerfloopException(string.Create(CultureInfo.InvariantCulture,
                $"only {first.Count} pairs were measured within measurement.maxSeconds ({config.Measurement.MaxSeconds}s); raise it or lower --runs"), ExitCodes.Failure);
        }

        var noise = NoiseCalibration.Calibrate(first, second, configured);
        var choice = MetricChooser.Choose(new MetricChoiceInput(comparison.Samples, domain.Name, metric, Explicit: config.Metric is not null, configured, Environment.ProcessorCount));
        return new CalibrationReport(head, domain.Name, metric, configured, noise, comparison.Result!.Estimate,
            Median.Of(first)!.Value, Median.Of(second)!.Value, comparison.Samples, comparison.Elapsed)
        {
            Choice = choice,
        };
    }

    async Task BuildAsync(PerfloopConfig config, string directory, string what, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(config.Build))
        {
            return;
        }

        var spec = CommandSpec.Shell(config.Build, directory) with { Timeout = TimeSpan.FromSeconds(config.Timeouts.BuildSeconds) };
        var result = await runner.RunAsync(spec, cancellationToken);
        if (!result.Succeeded)
        {
            var why = result.TimedOut ? $"timed out after {config.Timeouts.BuildSeconds:0}s" : $"exit code {result.ExitCode}: {GitCli.FirstLine(LastLine(result))}";
            throw new PerfloopException($"the build of {what} failed ({why}); fix the build command in {PerfloopConfig.FileName}", ExitCodes.Failure);
        }
    }

    static string LastLine(ProcessResult result) =>
        (result.StderrText + "\n" + result.StdoutText).Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.Length > 0) ?? "(no output)";
}
