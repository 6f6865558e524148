using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Perfloop.Configuration;
using Perfloop.Measurement;
using Perfloop.Processes;
using Perfloop.Statistics;

namespace Perfloop.Micro;

/// <summary>
/// A BenchmarkDotNet filter run in both trees: <c>dotnet run -c Release --project P -- --filter F --exporters json
/// --artifacts DIR</c>. One BenchmarkDotNet run is one sample — the median time per operation of the filtered
/// benchmarks, summed, from its full JSON export — and runs alternate in ABBA blocks under the same sequential test
/// as every other comparison, so the machine's drift falls on both sides. BenchmarkDotNet's own warm-up makes a
/// separate warm-up run unnecessary.
/// </summary>
public sealed class BenchmarkDotNetMicroBenchmark(string target, IProcessRunner runner, BenchmarkDotNetMicro settings) : IMicroBenchmark
{
    public const string Metric = "bdn_median_ns";

    public string Kind => "benchmarkDotNet";

    public async Task<MicroOutcome> RunAsync(MicroRequest request, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var random = new Random(request.Plan.Seed);
        var baseline = new List<double>();
        var candidate = new List<double>();
        var table = new StringBuilder("pair\tside\tmedian_ns\n");
        VerdictResult? result = null;
        string? failure = null;
        var pairs = 0;
        while (failure is null)
        {
            var first = random.Next(2) == 0 ? Side.Baseline : Side.Candidate;
            var other = first == Side.Baseline ? Side.Candidate : Side.Baseline;
            foreach (var side in new[] { first, other, other, first })
            {
                var (value, why) = await RunOnceAsync(side == Side.Baseline ? request.BaselineDirectory : request.CandidateDirectory, request.Plan.RunTimeout, cancellationToken);
                if (why is not null)
                {
                    failure = $"{side.ToString().ToLowerInvariant()} run {why}";
                    break;
                }

                (side == Side.Baseline ? baseline : candidate).Add(value);
                table.Append(CultureInfo.InvariantCulture, $"{(side == Side.Baseline ? baseline.Count : candidate.Count) - 1}\t{side.ToString().ToLowerInvariant()}\t{value.ToString("R", CultureInfo.InvariantCulture)}\n");
            }

            if (failure is not null)
            {
                break;
            }

            pairs += 2;
            if (pairs < request.Plan.Design.MinPairs)
            {
                continue;
            }

            var step = SequentialTest.Evaluate(request.Plan.Design, baseline, candidate, request.ThresholdPct, MetricDirection.LowerIsBetter, clock.Elapsed >= request.Plan.MaxDuration);
            result = step.Result;
            if (step.Stop)
            {
                break;
            }
        }

        Directory.CreateDirectory(Path.GetDirectoryName(request.SamplesPath)!);
        await File.WriteAllTextAsync(request.SamplesPath, table.ToString(), cancellationToken);
        return failure is not null
            ? new MicroOutcome(target, Kind, Metric, "ns", null, null, null, pairs, failure, null)
            : new MicroOutcome(target, Kind, Metric, "ns", result, Statistics.Median.Of(baseline), Statistics.Median.Of(candidate), pairs, null, null);
    }

    async Task<(double Value, string? Failure)> RunOnceAsync(string tree, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var artifacts = Path.Combine(Path.GetTempPath(), $"perfloop-bdn-{Guid.NewGuid():N}");
        try
        {
            var spec = new CommandSpec("dotnet", ["run", "-c", "Release", "--project", settings.Project, "--", "--filter", settings.Filter, "--exporters", "json", "--artifacts", artifacts, .. settings.Arguments], tree)
            {
                Timeout = timeout,
            };
            var run = await runner.RunAsync(spec, cancellationToken);
            if (!run.Succeeded)
            {
                return (0, run.TimedOut ? $"timed out after {timeout.TotalSeconds:0}s" : $"exit code {run.ExitCode}: {Git.GitCli.FirstLine(run.StderrText + run.StdoutText)}");
            }

            var report = Directory.Exists(artifacts)
                ? Directory.EnumerateFiles(artifacts, "*-report-full*.json", SearchOption.AllDirectories).FirstOrDefault()
                : null;
            if (report is null)
            {
                return (0, $"wrote no JSON export (no *-report-full.json under --artifacts); does the filter '{settings.Filter}' match a benchmark?");
            }

            return SumOfMedians(await File.ReadAllTextAsync(report, cancellationToken)) is { } value
                ? (value, null)
                : (0, $"its JSON export has no benchmark with a median ({Path.GetFileName(report)})");
        }
        finally
        {
            if (Directory.Exists(artifacts))
            {
                Directory.Delete(artifacts, recursive: true);
            }
        }
    }

    /// <summary>
    /// The sum of <c>Statistics.Median</c> (ns per operation) over the export's benchmarks. A minimal reader of the
    /// full JSON export: the general BenchmarkDotNet metric reader (helper/measure) had not landed when this was written.
    /// </summary>
    public static double? SumOfMedians(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (!document.RootElement.TryGetProperty("Benchmarks", out var benchmarks) || benchmarks.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            double? sum = null;
            foreach (var benchmark in benchmarks.EnumerateArray())
            {
                if (benchmark.TryGetProperty("Statistics", out var statistics) && statistics.ValueKind == JsonValueKind.Object
                    && statistics.TryGetProperty("Median", out var median) && median.ValueKind == JsonValueKind.Number
                    && median.GetDouble() is var value && double.IsFinite(value))
                {
                    sum = (sum ?? 0) + value;
                }
            }

            return sum;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
