using System.Diagnostics;
using Perfloop.Processes;
using Perfloop.Statistics;

namespace Perfloop.Measurement;

/// <summary>How one comparison is measured: warm-up, sequential design, budgets.</summary>
public sealed record MeasurementPlan(
    int WarmupRuns,
    SequentialDesign Design,
    TimeSpan MaxDuration,
    TimeSpan RunTimeout,
    int Seed);

/// <summary>A benchmark run that did not finish cleanly, which ends the comparison.</summary>
public sealed record RunFailure(Side Side, int ExitCode, bool TimedOut, string Message);

/// <summary>The outcome of an interleaved comparison: raw samples, the verdict with its numbers, and why it stopped.</summary>
public sealed record Comparison(
    IReadOnlyList<RunSample> Samples,
    VerdictResult? Result,
    int Pairs,
    string StopReason,
    RunFailure? Failure,
    TimeSpan Elapsed)
{
    public IReadOnlyList<double> Values(Side side, string metric) =>
        Samples.Where(s => s.Side == side).OrderBy(s => s.Pair).Select(s => s.Value(metric) ?? double.NaN).ToList();
}

/// <summary>Reports each finished pair so a long comparison shows progress.</summary>
public interface IMeasurementProgress
{
    void PairMeasured(int pairs, int maxPairs);

    /// <summary>A planned look that did not settle the verdict: more pairs follow. Nothing by default.</summary>
    void LookWithoutVerdict(SequentialStep look)
    {
    }
}

/// <summary>
/// Runs baseline and candidate alternately in balanced blocks (ABBA or BAAB, chosen at random from a
/// fixed seed) so that drift of a shared machine falls on both sides equally, never two runs at once,
/// and stops as soon as the sequential test allows.
/// </summary>
/// <remarks>
/// Each run also records its load evidence (context switches, the machine's CPU pressure, run-queue wait: see
/// <see cref="RunLoad"/>), read outside the timed window. With an <see cref="InstructionCounter"/>, every measured
/// run is followed by an untimed run of the same command under the counter, whose count becomes the run's
/// <c>instructions</c>; warm-up runs are not counted.
/// </remarks>
public sealed class InterleavedBenchmark(
    IProcessRunner runner,
    string command,
    string metric,
    MetricDirection direction,
    MetricSources? sources = null,
    InstructionCounter? counter = null)
{
    /// <summary>Measures <paramref name="metric"/> as <see cref="MetricSelection.Select"/> chose it, with its metric files.</summary>
    public InterleavedBenchmark(IProcessRunner runner, string command, SelectedMetric metric, InstructionCounter? counter = null)
        : this(runner, command, metric.Name, metric.Direction, metric.Sources, counter)
    {
    }

    readonly MetricSources metricSources = sources ?? MetricSources.None;

    public async Task<Comparison> RunAsync(
        string baselineDirectory,
        string candidateDirectory,
        MeasurementPlan plan,
        double thresholdPct,
        IMeasurementProgress? progress,
        CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var samples = new List<RunSample>();
        var random = new Random(plan.Seed);
        var order = 0;

        for (var w = 0; w < plan.WarmupRuns; w++)
        {
            foreach (var side in new[] { Side.Baseline, Side.Candidate })
            {
                var (_, failure) = await RunOnceAsync(side, -1, order, side == Side.Baseline ? baselineDirectory : candidateDirectory, plan, counted: false, cancellationToken);
                if (failure is not null)
                {
                    return new Comparison(samples, null, 0, "a warm-up run failed", failure, clock.Elapsed);
                }
            }
        }

        var pairs = 0;
        VerdictResult? result = null;
        string stopReason;
        while (true)
        {
            // One block = two pairs in mirrored order, so each side runs first equally often.
            var first = random.Next(2) == 0 ? Side.Baseline : Side.Candidate;
            Side[] block = [first, Other(first), Other(first), first];
            for (var i = 0; i < block.Length; i++)
            {
                var side = block[i];
                var pair = pairs + (i / 2);
                var (sample, failure) = await RunOnceAsync(side, pair, order++, side == Side.Baseline ? baselineDirectory : candidateDirectory, plan, counted: true, cancellationToken);
                if (failure is not null)
                {
                    return new Comparison(samples, null, pairs, "a benchmark run failed", failure, clock.Elapsed);
                }

                if (sample!.Value(metric) is null)
                {
                    return new Comparison(samples, null, pairs, "metric missing",
                        new RunFailure(side, sample.ExitCode, false, $"the benchmark did not report metric '{metric}'"), clock.Elapsed);
                }

                samples.Add(sample);
            }

            pairs += 2;
            progress?.PairMeasured(pairs, plan.Design.Looks[^1]);
            if (pairs < plan.Design.FirstEvaluationPairs)
            {
                continue;
            }

            var baseline = Values(samples, Side.Baseline);
            var candidate = Values(samples, Side.Candidate);
            var outOfTime = clock.Elapsed >= plan.MaxDuration;
            var step = SequentialTest.Evaluate(plan.Design, baseline, candidate, thresholdPct, direction, budgetExhausted: outOfTime);
            result = step.Result;
            // Out of time, the test takes a final look that spends the remaining error budget, and always stops.
            if (step.Stop)
            {
                stopReason = outOfTime ? $"time budget of {plan.MaxDuration.TotalSeconds:0}s used; {step.Why}" : step.Why;
                break;
            }

            if (step.Look > 0)
            {
                progress?.LookWithoutVerdict(step);
            }
        }

        return new Comparison(samples, result, pairs, stopReason, null, clock.Elapsed);

        IReadOnlyList<double> Values(List<RunSample> all, Side side) =>
            all.Where(s => s.Side == side).OrderBy(s => s.Pair).ThenBy(s => s.Order).Select(s => s.Value(metric)!.Value).ToList();
    }

    static Side Other(Side side) => side == Side.Baseline ? Side.Candidate : Side.Baseline;

    async Task<(RunSample? Sample, RunFailure? Failure)> RunOnceAsync(
        Side side, int pair, int order, string directory, MeasurementPlan plan, bool counted, CancellationToken cancellationToken)
    {
        // Exact peak RSS for any size of program (the memory domain needs it); the launcher runs outside the timed
        // window, and so does the shell when the command is plain words.
        var spec = TimedCommand.For(command, directory) with { Timeout = plan.RunTimeout, ExactPeakRss = true };
        var filesBefore = metricSources.IsEmpty ? null : metricSources.Snapshot(directory);
        var pressureBefore = MachineLoad.ReadPressure();
        var result = await runner.RunAsync(spec, cancellationToken);
        // A run cut short by Ctrl-C is no benchmark failure ("exit code 143") but the interruption it is.
        cancellationToken.ThrowIfCancellationRequested();
        var pressureAfter = MachineLoad.ReadPressure();
        if (!result.Succeeded)
        {
            var why = result.TimedOut
                ? $"timed out after {plan.RunTimeout.TotalSeconds:0}s"
                : $"exit code {result.ExitCode}: {Git.GitCli.FirstLine(LastLines(result.StderrText + "\n" + result.StdoutText))}";
            return (null, new RunFailure(side, result.ExitCode, result.TimedOut, Safety.SecretRedactor.Current.Redact(why)));
        }

        var cpu = result.UserCpu is { } user && result.SystemCpu is { } system ? (user + system).TotalMilliseconds : (double?)null;
        var rss = result.PeakRssBytes is { } bytes ? bytes / (1024.0 * 1024.0) : (double?)null;
        var metrics = new Dictionary<string, double>(MetricNames.Parse(result.StdoutText), StringComparer.Ordinal);
        if (filesBefore is not null)
        {
            try
            {
                // Files override METRIC lines of the same name: they are the harness's own record.
                foreach (var (name, value) in metricSources.Read(directory, filesBefore))
                {
                    metrics[name] = value;
                }
            }
            catch (Exception e) when (e is MetricSourceException or IOException or UnauthorizedAccessException)
            {
                return (null, new RunFailure(side, result.ExitCode, false, $"metrics file: {e.Message}"));
            }
        }

        if (counted && counter is not null)
        {
            var (instructions, counterFailure) = await CountAsync(spec, side, cancellationToken);
            if (counterFailure is not null)
            {
                return (null, counterFailure);
            }

            metrics[MetricNames.Instructions] = instructions;
        }

        var load = new RunLoad(
            result.VoluntaryContextSwitches,
            result.InvoluntaryContextSwitches,
            MachineLoad.PressurePct(pressureBefore, pressureAfter),
            MachineLoad.ReadLoadAverage(),
            result.RunQueueWait?.TotalMilliseconds);
        return (new RunSample(pair, side, order, result.WallTime.TotalMilliseconds, cpu, rss, result.ExitCode, metrics) { Load = load }, null);
    }

    /// <summary>The same command once more under the instruction counter, untimed; its count, or why it failed.</summary>
    async Task<(double Instructions, RunFailure? Failure)> CountAsync(CommandSpec timed, Side side, CancellationToken cancellationToken)
    {
        var output = Directory.CreateTempSubdirectory("perfloop-count-").FullName;
        try
        {
            var spec = counter!.Wrap(timed with { ExactPeakRss = false }, output);
            var result = await runner.RunAsync(spec, cancellationToken);
            if (!result.Succeeded)
            {
                var why = result.TimedOut
                    ? $"timed out after {spec.Timeout.TotalSeconds:0}s"
                    : $"exit code {result.ExitCode}: {Git.GitCli.FirstLine(LastLines(result.StderrText + "\n" + result.StdoutText))}";
                return (0, new RunFailure(side, result.ExitCode, result.TimedOut, Safety.SecretRedactor.Current.Redact($"the run under {counter.Name} failed ({why})")));
            }

            return (counter.Read(output), null);
        }
        catch (MetricSourceException e)
        {
            return (0, new RunFailure(side, 0, false, e.Message));
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    /// <summary>The last non-empty line usually says why a program failed.</summary>
    static string LastLines(string text)
    {
        var lines = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        return lines.Count == 0 ? "(no output)" : lines[^1];
    }
}
