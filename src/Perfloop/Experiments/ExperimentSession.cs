using System.Globalization;
using Perfloop.Configuration;
using Perfloop.Domains;
using Perfloop.Errors;
using Perfloop.Git;
using Perfloop.Implementers;
using Perfloop.Journal;
using Perfloop.Measurement;
using Perfloop.Oracle;
using Perfloop.Processes;
using Perfloop.Safety;
using Perfloop.Statistics;

namespace Perfloop.Experiments;

public sealed record RunOptions(string Directory, IImplementer Implementer)
{
    public int? MaxExperiments { get; init; }
}

public sealed record SessionSummary(string RepositoryRoot, string ResultsPath, IReadOnlyList<ResultRow> Rows)
{
    public int Kept => Rows.Count(r => r.Status == ExperimentStatus.Keep);

    public int Experiments => Rows.Count(r => r.Status != ExperimentStatus.Baseline);
}

/// <summary>
/// One run of the experiment loop over a repository: baseline, then one experiment per candidate until the
/// implementer has nothing left or a budget ends. Every experiment ends in exactly one results row, and the
/// work tree is back at a clean HEAD after each one.
/// </summary>
public sealed class ExperimentSession(IProcessRunner runner, ILoopReporter reporter, TimeProvider clock)
{
    public async Task<SessionSummary> RunAsync(RunOptions options, CancellationToken cancellationToken)
    {
        var repository = await GitRepository.OpenAsync(runner, options.Directory, cancellationToken);
        var config = ConfigStore.Load(repository.Root);
        var domain = Domains.Domains.Find(config.Domain)!;
        var guard = Conventions.LoadGuard(repository.Root);
        await repository.HeadAsync(cancellationToken);

        var dirty = await repository.ChangedPathsAsync(cancellationToken);
        if (dirty.Contains(PerfloopConfig.FileName))
        {
            throw new PerfloopException(
                $"{PerfloopConfig.FileName} has uncommitted changes; commit it first (git add {PerfloopConfig.FileName} && git commit -m \"perfloop config\") so experiments are measured with a recorded setup");
        }

        if (dirty.Count > 0)
        {
            throw new PerfloopException(
                $"the work tree has uncommitted changes ({dirty[0]}{(dirty.Count > 1 ? $" and {dirty.Count - 1} more" : "")}); commit or stash them first so no work of yours can be lost");
        }

        await repository.PruneWorktreesAsync(cancellationToken);
        var context = new SessionContext(repository, config, domain, guard, runner, reporter, clock);
        var rows = new List<ResultRow>();
        try
        {
            rows.Add(await context.BaselineAsync(cancellationToken));
            var started = 0;
            while (options.MaxExperiments is not { } max || started < max)
            {
                var candidate = options.Implementer.Peek();
                if (candidate is null)
                {
                    break;
                }

                started++;
                rows.Add(await context.ExperimentAsync(options.Implementer, candidate, cancellationToken));
                options.Implementer.Advance();
            }
        }
        finally
        {
            await context.DisposeAsync();
        }

        return new SessionSummary(repository.Root, PerfloopPaths.Results(repository.Root), rows);
    }
}

/// <summary>The state one session carries between experiments: the current baseline and its oracle.</summary>
sealed class SessionContext(
    GitRepository repository,
    PerfloopConfig config,
    Domain domain,
    string? guard,
    IProcessRunner runner,
    ILoopReporter reporter,
    TimeProvider clock) : IAsyncDisposable
{
    readonly string resultsPath = PerfloopPaths.Results(repository.Root);
    readonly OracleRunner oracles = new(runner, TimeSpan.FromSeconds(config.Timeouts.OracleSeconds));
    readonly ProtectedPaths protectedPaths = new(config.ProtectedPaths, ProtectedPaths.FilesNamedIn(guard, repository.Root));
    Worktree? baselineTree;
    IReadOnlyList<OracleOutput> oracle = [];
    double effectiveThresholdPct = config.Thresholds.KeepPct ?? domain.KeepThresholdPct;
    int seedOffset;

    string Metric => domain.PrimaryMetric;

    string Unit => domain.MetricUnit;

    MetricDirection Direction => domain.Goal == MetricGoal.LowerIsBetter ? MetricDirection.LowerIsBetter : MetricDirection.HigherIsBetter;

    int NextExperimentNumber()
    {
        var rows = ResultsTable.Read(resultsPath);
        return rows.Count == 0 ? 0 : rows.Max(r => r.Experiment) + 1;
    }

    /// <summary>
    /// Builds the baseline (in a worktree) and the work tree at HEAD, captures the oracle, and measures the
    /// two identical builds against each other: that A/A run is the machine's noise for this benchmark.
    /// </summary>
    public async Task<ResultRow> BaselineAsync(CancellationToken cancellationToken)
    {
        var head = await repository.HeadAsync(cancellationToken);
        var number = NextExperimentNumber();
        reporter.Status($"[baseline] {head[..12]} on {await repository.BranchAsync(cancellationToken) ?? "detached HEAD"}, domain {domain.Name}, metric {Metric}");
        await PrepareBaselineAsync(head, cancellationToken);

        reporter.Status("[baseline] Calibrating noise (the baseline against itself)...");
        var calibrationPairs = config.Measurement.CalibrationRuns;
        var comparison = await MeasureAsync(number, domain.KeepThresholdPct, new SequentialDesign(calibrationPairs, calibrationPairs), cancellationToken);
        if (comparison.Failure is { } failure)
        {
            throw new PerfloopException($"the benchmark fails on the unchanged code ({failure.Message}); fix the bench command in {PerfloopConfig.FileName}", ExitCodes.Failure);
        }

        var a1 = comparison.Values(Side.Baseline, Metric);
        var a2 = comparison.Values(Side.Candidate, Metric);
        var baseline = Median(a1);
        var other = Median(a2);
        var estimate = comparison.Result!.Estimate;
        var configured = config.Thresholds.KeepPct ?? domain.KeepThresholdPct;
        var noise = NoiseCalibration.Calibrate(a1, a2, configured);
        effectiveThresholdPct = noise.EffectiveThresholdPct;
        var thresholdText = string.Create(CultureInfo.InvariantCulture,
            $"{effectiveThresholdPct:0.##}% (domain {configured:0.##}%, A/A noise {noise.NoisePct:0.##}% per run pair over {noise.Pairs} pairs, k = {noise.K:0.##})");
        reporter.Status($"[baseline] {Metric} {StatusLines.Measure(baseline, Unit)}; effective keep threshold {thresholdText}");
        await File.WriteAllTextAsync(Conventions.PathIn(repository.Root), Conventions.Render(guard, domain.Name, thresholdText), cancellationToken);

        var row = new ResultRow
        {
            Experiment = number,
            Timestamp = clock.GetUtcNow(),
            Domain = domain.Name,
            Target = "baseline",
            Summary = "unchanged code measured against itself (A/A)",
            Metric = Metric,
            Baseline = baseline,
            Candidate = other,
            DeltaPct = estimate.DeltaPct,
            CiLowPct = estimate.LowPct,
            CiHighPct = estimate.HighPct,
            Runs = comparison.Pairs,
            ThresholdPct = effectiveThresholdPct,
            Status = ExperimentStatus.Baseline,
            Commit = head,
            Reason = $"noise calibration; effective threshold {thresholdText}",
        };
        ResultsTable.Append(resultsPath, row);
        return row;
    }

    public async Task<ResultRow> ExperimentAsync(IImplementer implementer, CandidateInfo candidate, CancellationToken cancellationToken)
    {
        var n = NextExperimentNumber();
        var head = await repository.HeadAsync(cancellationToken);
        var directory = PerfloopPaths.Experiment(repository.Root, n);
        Directory.CreateDirectory(directory);
        reporter.Status(StatusLines.Target(n, candidate));
        await PrepareBaselineAsync(head, cancellationToken);
        reporter.Status(StatusLines.Implementing(n, candidate));

        var row = new ResultRow
        {
            Experiment = n,
            Timestamp = clock.GetUtcNow(),
            Domain = domain.Name,
            Target = candidate.Target,
            Category = candidate.Category,
            Strategy = candidate.Strategy,
            Summary = candidate.Summary,
            Metric = Metric,
            ThresholdPct = effectiveThresholdPct,
            Status = ExperimentStatus.Discard,
            Commit = head,
        };

        try
        {
            row = await JudgeAsync(implementer, candidate, n, directory, row, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            row = row with { Status = ExperimentStatus.Crash, Reason = "interrupted by the user" };
            await EndDiscardedAsync(n, directory, row, CancellationToken.None);
            throw;
        }

        return row;
    }

    async Task<ResultRow> JudgeAsync(IImplementer implementer, CandidateInfo candidate, int n, string directory, ResultRow row, CancellationToken cancellationToken)
    {
        if (await implementer.ImplementAsync(repository, cancellationToken) is { } implementFailure)
        {
            return await EndDiscardedAsync(n, directory, row with { Reason = implementFailure }, cancellationToken);
        }

        var paths = await repository.ChangedPathsAsync(cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, "candidate.diff"), await repository.DiffAgainstHeadAsync(paths, cancellationToken), cancellationToken);
        if (paths.Count == 0)
        {
            return await EndDiscardedAsync(n, directory, row with { Reason = "the candidate changes nothing" }, cancellationToken);
        }

        if (protectedPaths.FirstViolation(paths) is { } violation)
        {
            return await EndDiscardedAsync(n, directory, row with { Reason = $"touches protected path {violation.Path} ({violation.Reason})" }, cancellationToken);
        }

        if (await BuildAsync(repository.Root, Path.Combine(directory, "build.log"), cancellationToken) is { } buildFailure)
        {
            return await EndDiscardedAsync(n, directory, row with { Status = ExperimentStatus.Crash, Reason = $"build failed: {buildFailure}" }, cancellationToken);
        }

        var outputs = await oracles.RunAsync(config.Oracles, repository.Root, Path.Combine(directory, "oracle"), cancellationToken);
        var evidence = new Evidence { OutputDifference = OracleRunner.Compare(oracle, outputs), MetricName = Metric };
        if (evidence.OutputDifference is null)
        {
            reporter.Status(StatusLines.Benchmarking(n));
            var comparison = await MeasureAsync(n, effectiveThresholdPct, new SequentialDesign(config.Measurement.MinRuns, config.Measurement.MaxRuns), cancellationToken);
            evidence = evidence with
            {
                BenchmarkFailure = comparison.Failure is { } f ? $"{f.Side.ToString().ToLowerInvariant()} run {f.Message}" : null,
                Metric = comparison.Result,
                Guard = guard is null ? GuardOutcome.NotConfigured : GuardOutcome.NotRun,
            };

            if (comparison.Result is { } result && comparison.Failure is null)
            {
                var baselineValue = Median(comparison.Values(Side.Baseline, Metric));
                var candidateValue = Median(comparison.Values(Side.Candidate, Metric));
                reporter.Status(StatusLines.Result(n, baselineValue, candidateValue, Unit, result));
                row = row with
                {
                    Baseline = baselineValue,
                    Candidate = candidateValue,
                    DeltaPct = result.Estimate.DeltaPct,
                    CiLowPct = result.Estimate.LowPct,
                    CiHighPct = result.Estimate.HighPct,
                    Runs = comparison.Pairs,
                };
            }

            if (guard is not null && KeepDiscardDecision.GuardNeeded(evidence))
            {
                reporter.Detail($"{StatusLines.Prefix(n)} Guard: {guard}");
                var guardFailure = await RunGuardAsync(Path.Combine(directory, "guard.log"), cancellationToken);
                evidence = evidence with
                {
                    Guard = guardFailure is null ? GuardOutcome.Passed : GuardOutcome.Failed,
                    GuardFailure = guardFailure,
                };
                row = row with { Guard = guardFailure is null ? GuardStatus.Passed : GuardStatus.Failed };
            }
        }

        var decision = KeepDiscardDecision.Decide(evidence);
        return decision.Action switch
        {
            DecisionAction.Keep => await EndKeptAsync(n, candidate, paths, row with { Status = ExperimentStatus.Keep, Reason = decision.Reason }, cancellationToken),
            DecisionAction.Crash => await EndDiscardedAsync(n, directory, row with { Status = ExperimentStatus.Crash, Reason = decision.Reason }, cancellationToken),
            _ => await EndDiscardedAsync(n, directory, row with { Status = ExperimentStatus.Discard, Reason = decision.Reason }, cancellationToken),
        };
    }

    async Task<ResultRow> EndKeptAsync(int n, CandidateInfo candidate, IReadOnlyList<string> paths, ResultRow row, CancellationToken cancellationToken)
    {
        var message = CommitMessage(n, candidate, row);
        var commit = await repository.CommitAsync(paths, message, cancellationToken);
        // Whatever the build or benchmark left outside the candidate's own files goes, so the next experiment starts clean.
        await repository.RestoreAsync(cancellationToken);
        row = row with { Commit = commit };
        ResultsTable.Append(resultsPath, row);
        reporter.Status(StatusLines.Keep(n));
        reporter.Detail($"{StatusLines.Prefix(n)} committed {commit[..12]}: {candidate.Summary}");
        return row;
    }

    async Task<ResultRow> EndDiscardedAsync(int n, string directory, ResultRow row, CancellationToken cancellationToken)
    {
        await repository.RestoreAsync(cancellationToken);
        ResultsTable.Append(resultsPath, row);
        reporter.Status(StatusLines.Discard(n, row.Reason));
        reporter.Detail($"{StatusLines.Prefix(n)} work tree restored; candidate diff kept in {Path.GetRelativePath(repository.Root, Path.Combine(directory, "candidate.diff"))}");
        return row;
    }

    string CommitMessage(int n, CandidateInfo candidate, ResultRow row)
    {
        var lines = new List<string> { candidate.Summary, "" };
        lines.Add($"Measured by Perfloop: {row.Reason}.");
        lines.Add("");
        if (candidate.Target.Length > 0)
        {
            lines.Add($"Target: {candidate.Target}");
        }

        if (candidate.Category.Length > 0)
        {
            lines.Add($"Category: {candidate.Category}");
        }

        if (candidate.Strategy.Length > 0)
        {
            lines.Add($"Strategy: {candidate.Strategy}");
        }

        lines.Add($"Perfloop-Experiment: {n.ToString(CultureInfo.InvariantCulture)}");
        lines.Add(string.Create(CultureInfo.InvariantCulture,
            $"Perfloop-Metric: {Metric} {StatusLines.Measure(row.Baseline ?? double.NaN, Unit)} → {StatusLines.Measure(row.Candidate ?? double.NaN, Unit)} ({KeepDiscardDecision.Signed(row.DeltaPct ?? 0)}%, CI {KeepDiscardDecision.Signed(row.CiLowPct ?? 0)}…{KeepDiscardDecision.Signed(row.CiHighPct ?? 0)}%, {row.Runs} runs)"));
        return string.Join('\n', lines) + "\n";
    }

    /// <summary>Makes sure the baseline worktree and the oracle belong to <paramref name="head"/>; built once per commit.</summary>
    async Task PrepareBaselineAsync(string head, CancellationToken cancellationToken)
    {
        if (baselineTree?.Commit == head)
        {
            return;
        }

        if (baselineTree is not null)
        {
            await baselineTree.DisposeAsync();
            baselineTree = null;
        }

        reporter.Detail($"[baseline] building {head[..12]} in a worktree");
        var tree = await repository.AddWorktreeAsync(head, cancellationToken);
        baselineTree = tree;
        var logDirectory = PerfloopPaths.Oracles(repository.Root, head);
        Directory.CreateDirectory(logDirectory);
        if (await BuildAsync(tree.Directory, Path.Combine(logDirectory, "baseline-build.log"), cancellationToken) is { } failure)
        {
            throw new PerfloopException($"the unchanged code at {head[..12]} does not build: {failure}; fix the build command in {PerfloopConfig.FileName}", ExitCodes.Failure);
        }

        if (await BuildAsync(repository.Root, Path.Combine(logDirectory, "worktree-build.log"), cancellationToken) is { } workFailure)
        {
            throw new PerfloopException($"the work tree at {head[..12]} does not build: {workFailure}", ExitCodes.Failure);
        }

        if (config.Oracles.Count > 0)
        {
            reporter.Detail($"[baseline] capturing the output of {config.Oracles.Count} oracle command(s) on the unchanged code");
            oracle = await oracles.CaptureAsync(config.Oracles, repository.Root, logDirectory, cancellationToken);
            // An oracle may write files; the candidate must start from an exact HEAD.
            await repository.RestoreAsync(cancellationToken);
        }
    }

    async Task<string?> BuildAsync(string directory, string logPath, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(config.Build))
        {
            return null;
        }

        var spec = CommandSpec.Shell(config.Build, directory) with { Timeout = TimeSpan.FromSeconds(config.Timeouts.BuildSeconds) };
        var result = await runner.RunAsync(spec, cancellationToken);
        await File.WriteAllTextAsync(logPath, result.StdoutText + result.StderrText, cancellationToken);
        if (result.Succeeded)
        {
            return null;
        }

        return result.TimedOut
            ? $"timed out after {config.Timeouts.BuildSeconds:0}s"
            : $"exit code {result.ExitCode}: {FailureLine(result)}";
    }

    async Task<string?> RunGuardAsync(string logPath, CancellationToken cancellationToken)
    {
        var spec = CommandSpec.Shell(guard!, repository.Root) with { Timeout = TimeSpan.FromSeconds(config.Timeouts.GuardSeconds) };
        var result = await runner.RunAsync(spec, cancellationToken);
        await File.WriteAllTextAsync(logPath, result.StdoutText + result.StderrText, cancellationToken);
        if (result.Succeeded)
        {
            return null;
        }

        return result.TimedOut
            ? $"'{guard}' timed out after {config.Timeouts.GuardSeconds:0}s"
            : $"'{guard}' exited with {result.ExitCode}: {FailureLine(result)}";
    }

    /// <summary>The line that most likely says what went wrong: an error line if there is one, else the last line.</summary>
    static string FailureLine(ProcessResult result)
    {
        var lines = (result.StdoutText + "\n" + result.StderrText).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        var error = lines.FirstOrDefault(l => l.Contains("error", StringComparison.OrdinalIgnoreCase) || l.Contains("fail", StringComparison.OrdinalIgnoreCase));
        var line = error ?? (lines.Count > 0 ? lines[^1] : "(no output)");
        return line.Length <= 200 ? line : line[..197] + "...";
    }

    async Task<Comparison> MeasureAsync(int n, double thresholdPct, SequentialDesign design, CancellationToken cancellationToken)
    {
        var m = config.Measurement;
        var plan = new MeasurementPlan(
            m.WarmupRuns,
            design,
            TimeSpan.FromSeconds(m.MaxSeconds),
            TimeSpan.FromSeconds(config.Timeouts.BenchSeconds),
            m.Seed + seedOffset++);
        var benchmark = new InterleavedBenchmark(runner, config.Bench, Metric, Direction);
        var comparison = await benchmark.RunAsync(baselineTree!.Directory, repository.Root, plan, thresholdPct, null, cancellationToken);
        var directory = PerfloopPaths.Experiment(repository.Root, n);
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "samples.tsv"), SampleTable.Format(comparison.Samples), cancellationToken);
        return comparison;
    }

    static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToList();
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    public async ValueTask DisposeAsync()
    {
        if (baselineTree is not null)
        {
            await baselineTree.DisposeAsync();
            baselineTree = null;
        }
    }
}
