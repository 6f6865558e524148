using Perfloop.Measurement;

namespace Perfloop.Tests.Measurement;

public class BenchmarkDotNetReportTests
{
    // A real export: BenchmarkDotNet 0.15.8, [DryJob] [MemoryDiagnoser], --exporters fulljson, two methods × [Params(10, 1000)].
    static readonly string RealExport = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Measurement", "TestData", "SumBench-report-full.json"));

    [Fact]
    public void A_real_full_export_gives_median_mean_and_allocations_per_benchmark()
    {
        var metrics = BenchmarkDotNetReport.Parse(RealExport);

        Assert.Equal(202793, metrics["bdn.SumBench.Sum(N:10).median_ns"]);
        Assert.Equal(202793, metrics["bdn.SumBench.Sum(N:10).mean_ns"]);
        Assert.Equal(0, metrics["bdn.SumBench.Sum(N:10).allocated_bytes"]);
        Assert.Equal(253729, metrics["bdn.SumBench.Allocate(N:1000).median_ns"]);
        Assert.Equal(4024, metrics["bdn.SumBench.Allocate(N:1000).allocated_bytes"]);
        Assert.Equal(12, metrics.Count); // 4 benchmarks × 3, no single-benchmark shortcuts
        Assert.All(metrics.Keys, name => Assert.True(MetricNames.IsValidName(name), name));
    }

    [Fact]
    public void A_single_benchmark_also_gets_the_short_names()
    {
        var metrics = BenchmarkDotNetReport.Parse("""
            { "Benchmarks": [ { "Type": "Parser", "Method": "Parse", "Parameters": "",
              "Statistics": { "Median": 1500.5, "Mean": 1510.25 }, "Memory": { "BytesAllocatedPerOperation": 96 } } ] }
            """);

        Assert.Equal(1500.5, metrics["bdn.Parser.Parse.median_ns"]);
        Assert.Equal(1500.5, metrics["bdn.median_ns"]);
        Assert.Equal(1510.25, metrics["bdn.mean_ns"]);
        Assert.Equal(96, metrics["bdn.allocated_bytes"]);
    }

    [Fact]
    public void A_failed_benchmark_without_statistics_gives_no_timing()
    {
        var metrics = BenchmarkDotNetReport.Parse("""{ "Benchmarks": [ { "Type": "T", "Method": "M", "Statistics": null, "Memory": null } ] }""");

        Assert.Empty(metrics);
    }

    [Theory]
    [InlineData("""{ "Title": "x" }""", "no \"Benchmarks\" array")]
    [InlineData("""[1, 2]""", "no \"Benchmarks\" array")]
    [InlineData("""{ "Benchmarks": [ """, "not valid JSON")]
    public void Something_else_is_refused_with_a_reason(string json, string expected)
    {
        var error = Assert.Throws<MetricSourceException>(() => BenchmarkDotNetReport.Parse(json));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SumBench-report-full.json", true)]
    [InlineData("SumBench-report-full-compressed.json", true)]
    [InlineData("SumBench-report-brief.json", false)]
    [InlineData("SumBench-report.csv", false)]
    public void Only_full_exports_are_read(string fileName, bool expected)
    {
        Assert.Equal(expected, BenchmarkDotNetReport.IsFullReport(fileName));
    }

    [Theory]
    [InlineData("bdn.median_ns", true)]
    [InlineData("bdn.A.B(N:1).allocated_bytes", true)]
    [InlineData("bdn.something", false)]
    [InlineData("median_ns", false)]
    public void Its_metric_names_are_recognised(string name, bool expected)
    {
        Assert.Equal(expected, BenchmarkDotNetReport.IsMetricName(name));
    }
}
