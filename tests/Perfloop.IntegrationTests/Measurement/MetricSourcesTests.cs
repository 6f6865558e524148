using Perfloop.Measurement;
using Perfloop.Processes;
using Perfloop.Statistics;

namespace Perfloop.IntegrationTests.Measurement;

public sealed class MetricSourcesTests : IDisposable
{
    readonly string baseline = Directory.CreateTempSubdirectory("perfloop-metrics-a-").FullName;
    readonly string candidate = Directory.CreateTempSubdirectory("perfloop-metrics-b-").FullName;

    public void Dispose()
    {
        Directory.Delete(baseline, recursive: true);
        Directory.Delete(candidate, recursive: true);
    }

    static MeasurementPlan Plan => new(0, new SequentialDesign(4, 4), TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30), 7);

    [Fact]
    public async Task A_json_file_written_by_each_run_feeds_the_comparison_from_each_tree()
    {
        await File.WriteAllTextAsync(Path.Combine(baseline, "score"), "100");
        await File.WriteAllTextAsync(Path.Combine(candidate, "score"), "80");
        var sources = new MetricSources("out/m.json", new Dictionary<string, string> { ["score_ms"] = "result.score" }, null);
        var benchmark = new InterleavedBenchmark(new ProcessRunner(), "mkdir -p out && printf '{\"result\": {\"score\": %s}}' \"$(cat score)\" > out/m.json", "score_ms",
            MetricDirection.LowerIsBetter, sources);

        var comparison = await benchmark.RunAsync(baseline, candidate, Plan, 5, null, CancellationToken.None);

        Assert.Null(comparison.Failure);
        Assert.All(comparison.Values(Side.Baseline, "score_ms"), v => Assert.Equal(100, v));
        Assert.All(comparison.Values(Side.Candidate, "score_ms"), v => Assert.Equal(80, v));
        Assert.Equal(-20, comparison.Result!.Estimate.DeltaPct, 6);
    }

    [Fact]
    public async Task A_stale_metrics_file_the_run_did_not_write_fails_the_run()
    {
        foreach (var tree in new[] { baseline, candidate })
        {
            await File.WriteAllTextAsync(Path.Combine(tree, "m.json"), """{ "score": 1 }""");
        }

        var benchmark = new InterleavedBenchmark(new ProcessRunner(), "true", "score", MetricDirection.LowerIsBetter, new MetricSources("m.json", null, null));

        var comparison = await benchmark.RunAsync(baseline, candidate, Plan, 5, null, CancellationToken.None);

        Assert.NotNull(comparison.Failure);
        Assert.Contains("m.json: the benchmark did not write this metrics file during the run", comparison.Failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_benchmarkdotnet_export_written_by_the_run_is_read()
    {
        var export = """{ "Benchmarks": [ { "Type": "P", "Method": "Parse", "Statistics": { "Median": %s, "Mean": 1 }, "Memory": { "BytesAllocatedPerOperation": 64 } } ] }""";
        await File.WriteAllTextAsync(Path.Combine(baseline, "median"), "2000");
        await File.WriteAllTextAsync(Path.Combine(candidate, "median"), "1000");
        var command = $"mkdir -p results && printf '{export}' \"$(cat median)\" > results/P-report-full-compressed.json";
        var benchmark = new InterleavedBenchmark(new ProcessRunner(), command, "bdn.median_ns", MetricDirection.LowerIsBetter, new MetricSources(null, null, "results"));

        var comparison = await benchmark.RunAsync(baseline, candidate, Plan, 5, null, CancellationToken.None);

        Assert.Null(comparison.Failure);
        Assert.Equal(-50, comparison.Result!.Estimate.DeltaPct, 6);
        Assert.Equal(64, comparison.Samples[0].Metrics["bdn.P.Parse.allocated_bytes"]);
    }
}
