using Perfloop.Configuration;
using Perfloop.Measurement;
using Perfloop.Processes;
using Perfloop.Statistics;

namespace Perfloop.Micro;

/// <summary>One micro-benchmark comparison to make: the two trees, the threshold, where the raw samples go.</summary>
public sealed record MicroRequest(
    string BaselineDirectory,
    string CandidateDirectory,
    double ThresholdPct,
    MeasurementPlan Plan,
    string SamplesPath);

/// <summary>
/// The micro-benchmark's verdict as journaled and recorded: the metric, the two medians, the interval — or why there
/// is none (<see cref="Failure"/>: a run failed; <see cref="NotAvailable"/>: the configured kind cannot run yet).
/// </summary>
public sealed record MicroOutcome(
    string Target,
    string Kind,
    string Metric,
    string Unit,
    VerdictResult? Result,
    double? BaselineValue,
    double? CandidateValue,
    int Pairs,
    string? Failure,
    string? NotAvailable);

/// <summary>A kind of micro-benchmark: runs baseline and candidate A/B and returns the verdict.</summary>
public interface IMicroBenchmark
{
    string Kind { get; }

    Task<MicroOutcome> RunAsync(MicroRequest request, CancellationToken cancellationToken);
}

/// <summary>
/// A .NET method measured in-process, baseline and candidate assemblies each in its own AssemblyLoadContext
/// (<see cref="DotnetMethodMicroBenchmark"/>).
/// </summary>
public interface IDotnetMethodBenchmark : IMicroBenchmark
{
    DotnetMethodMicro Method { get; }
}

/// <summary>Finds a target's micro-benchmark in the configuration and builds the runner for its kind.</summary>
public static class MicroTargets
{
    /// <summary>
    /// The configured target an experiment's target names: equal, or a prefix followed by a non-identifier character
    /// ("PrimeScanner.PrimesUpTo" names "PrimeScanner.PrimesUpTo prime generation"); the longest name wins.
    /// </summary>
    public static TargetSettings? Match(IReadOnlyList<TargetSettings> targets, string experimentTarget)
    {
        var target = experimentTarget.Trim();
        return targets
            .Where(t => t.Name.Length > 0
                && target.StartsWith(t.Name, StringComparison.OrdinalIgnoreCase)
                && (target.Length == t.Name.Length || !(char.IsLetterOrDigit(target[t.Name.Length]) || target[t.Name.Length] == '_')))
            .MaxBy(t => t.Name.Length);
    }

    /// <summary>The runner for a micro spec; <paramref name="dotnetMethod"/> replaces the in-process method benchmark (tests).</summary>
    public static IMicroBenchmark Create(string target, MicroSettings micro, IProcessRunner runner, IDotnetMethodBenchmark? dotnetMethod = null)
    {
        if (micro.Command is { } command)
        {
            var metric = micro.Metric ?? MetricNames.WallMs;
            var direction = micro.Better == "higher" ? MetricDirection.HigherIsBetter : MetricDirection.LowerIsBetter;
            return new CommandMicroBenchmark(target, runner, command, metric, direction);
        }

        if (micro.BenchmarkDotNet is { } bdn)
        {
            return new BenchmarkDotNetMicroBenchmark(target, runner, bdn);
        }

        return (IMicroBenchmark?)dotnetMethod
            ?? (micro.DotnetMethod is { } method
                ? new DotnetMethodMicroBenchmark(target, method)
                : new UnavailableMicroBenchmark(target, "none", "the micro spec names no kind; give \"command\", \"benchmarkDotNet\" or \"dotnetMethod\""));
    }

    internal static string UnitOf(string metric) => metric switch
    {
        MetricNames.WallMs or MetricNames.CpuMs => "ms",
        MetricNames.PeakRssMb => "MB",
        _ when metric.EndsWith("_ms", StringComparison.Ordinal) => "ms",
        _ when metric.EndsWith("_ns", StringComparison.Ordinal) => "ns",
        _ when metric.EndsWith("_us", StringComparison.Ordinal) => "µs",
        _ => "",
    };
}

/// <summary>A micro-benchmark that cannot run: configured, but its kind is not available.</summary>
public sealed class UnavailableMicroBenchmark(string target, string kind, string why) : IMicroBenchmark
{
    public string Kind => kind;

    public Task<MicroOutcome> RunAsync(MicroRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(new MicroOutcome(target, kind, "", "", null, null, null, 0, null, why));
}

/// <summary>
/// A user's micro command (any language), measured exactly like the whole-program benchmark: the same interleaved
/// engine, ABBA blocks and sequential test, the command's wall time or a METRIC line it prints.
/// </summary>
public sealed class CommandMicroBenchmark(string target, IProcessRunner runner, string command, string metric, MetricDirection direction) : IMicroBenchmark
{
    public string Kind => "command";

    public async Task<MicroOutcome> RunAsync(MicroRequest request, CancellationToken cancellationToken)
    {
        var benchmark = new InterleavedBenchmark(runner, command, metric, direction);
        var comparison = await benchmark.RunAsync(request.BaselineDirectory, request.CandidateDirectory, request.Plan, request.ThresholdPct, null, cancellationToken);
        Directory.CreateDirectory(Path.GetDirectoryName(request.SamplesPath)!);
        await File.WriteAllTextAsync(request.SamplesPath, SampleTable.Format(comparison.Samples), cancellationToken);
        var unit = MicroTargets.UnitOf(metric);
        if (comparison.Failure is { } failure)
        {
            return new MicroOutcome(target, Kind, metric, unit, null, null, null, comparison.Pairs, $"{failure.Side.ToString().ToLowerInvariant()} run {failure.Message}", null);
        }

        return new MicroOutcome(
            target, Kind, metric, unit, comparison.Result,
            Median.Of(comparison.Values(Side.Baseline, metric)), Median.Of(comparison.Values(Side.Candidate, metric)),
            comparison.Pairs, null, null);
    }

}
