using System.Text.Json;
using Perfloop.Compare;
using Perfloop.Measurement;
using Perfloop.Statistics;

namespace Perfloop.Tests.Compare;

public class CompareFormatterTests
{
    static RunSample Sample(int pair, Side side, double wall, double? rss = null, double? alloc = null) =>
        new(pair, side, pair * 2 + (side == Side.Baseline ? 0 : 1), wall, null, rss, 0,
            alloc is { } a ? new Dictionary<string, double> { ["alloc_bytes"] = a, ["items"] = 10 } : new Dictionary<string, double>());

    static Comparison Measured(double baseMs, double headMs, double thresholdPct = 5)
    {
        var samples = new List<RunSample>();
        for (var i = 0; i < 6; i++)
        {
            samples.Add(Sample(i, Side.Baseline, baseMs + i, 50 + i, 1000));
            samples.Add(Sample(i, Side.Candidate, headMs + i, 40 + i, 500));
        }

        var estimate = RatioStatistics.EstimateFromLogRatios(RatioStatistics.LogRatios(
            samples.Where(s => s.Side == Side.Baseline).Select(s => s.WallMs).ToList(),
            samples.Where(s => s.Side == Side.Candidate).Select(s => s.WallMs).ToList()), 0.9675);
        return new Comparison(samples, VerdictRule.Classify(estimate, thresholdPct, MetricDirection.LowerIsBetter), 6, "look 1 of 6", null, TimeSpan.FromSeconds(3));
    }

    static CompareReport Report(params BenchmarkComparison[] benchmarks) => new()
    {
        Base = new RefInfo("main", "0123456789abcdef0123456789abcdef01234567", "Base <b>subject</b> | x"),
        Head = new RefInfo("HEAD", "fedcba9876543210fedcba9876543210fedcba98", "Head"),
        Domain = "cpu",
        Metric = "wall_ms",
        Unit = "ms",
        Direction = MetricDirection.LowerIsBetter,
        ThresholdPct = 5,
        Alpha = 0.05,
        Benchmarks = benchmarks,
        Started = DateTimeOffset.UnixEpoch,
        Elapsed = TimeSpan.FromSeconds(4),
    };

    [Fact]
    public void Summary_takes_medians_memory_and_allocations_from_the_samples()
    {
        var b = EndToEndComparer.Summarize("bench", "./run.sh", MetricNames.WallMs, Measured(200, 100));
        Assert.Equal(CompareVerdict.Better, b.Verdict);
        Assert.Equal(202.5, b.BaseMedian);
        Assert.Equal(102.5, b.HeadMedian);
        Assert.Equal(new MedianPair("peak_rss_mb", 52.5, 42.5), b.PeakRssMb);
        Assert.Equal(new MedianPair("alloc_bytes", 1000, 500), b.Allocations);
        Assert.Equal("items", Assert.Single(b.Metrics).Name);
        Assert.Equal(6, b.HeadSamples.Count);
        Assert.InRange(b.Speedup(MetricDirection.LowerIsBetter)!.Value, 1.9, 2.1);
    }

    [Fact]
    public void Peak_rss_is_left_out_unless_every_run_reported_it()
    {
        var comparison = Measured(200, 100);
        comparison = comparison with { Samples = comparison.Samples.Select((s, i) => i == 3 ? s with { PeakRssMb = null } : s).ToList() };
        var b = EndToEndComparer.Summarize("bench", "x", MetricNames.WallMs, comparison);
        Assert.Equal(52.5, b.PeakRssMb!.Base);
        Assert.Null(b.PeakRssMb.Head);
    }

    [Fact]
    public void A_failed_run_gives_a_failed_verdict_and_no_ratio()
    {
        var comparison = new Comparison([], null, 0, "a benchmark run failed", new RunFailure(Side.Candidate, 1, false, "exit code 1: boom"), TimeSpan.Zero);
        var b = EndToEndComparer.Summarize("bench", "x", MetricNames.WallMs, comparison);
        Assert.Equal(CompareVerdict.Failed, b.Verdict);
        Assert.Equal("head run exit code 1: boom", b.Failure);
        var report = Report(b);
        Assert.True(report.HasFailure);
        Assert.False(report.HasRegression);
        Assert.Contains("\"verdict\": \"failed\"", CompareFormatter.Json(report));
    }

    [Fact]
    public void Json_follows_schema_v1()
    {
        var report = Report(EndToEndComparer.Summarize("bench", "./run.sh \"a\"", MetricNames.WallMs, Measured(200, 100)));
        using var json = JsonDocument.Parse(CompareFormatter.Json(report));
        var root = json.RootElement;
        Assert.Equal("perfloop.compare/v1", root.GetProperty("schema").GetString());
        Assert.Equal(
            ["schema", "base", "head", "domain", "metric", "unit", "direction", "thresholdPct", "alpha", "started", "elapsedSeconds", "regression", "failed", "benchmarks"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("lower_is_better", root.GetProperty("direction").GetString());
        Assert.Equal("Base <b>subject</b> | x", root.GetProperty("base").GetProperty("subject").GetString());
        var bench = root.GetProperty("benchmarks")[0];
        Assert.Equal(
            ["name", "command", "base", "head", "ratio", "ciLow", "ciHigh", "confidenceLevel", "changePct", "speedup", "verdict", "significantlyWorse",
             "significantlyBetter", "pairs", "stopReason", "failure", "peakRssMb", "allocations", "metrics", "samples"],
            bench.EnumerateObject().Select(p => p.Name));
        Assert.Equal("faster", bench.GetProperty("verdict").GetString());
        Assert.Equal("./run.sh \"a\"", bench.GetProperty("command").GetString());
        Assert.True(bench.GetProperty("ciLow").GetDouble() <= bench.GetProperty("ratio").GetDouble());
        Assert.Equal(JsonValueKind.Null, bench.GetProperty("failure").ValueKind);
        Assert.Equal(500, bench.GetProperty("allocations").GetProperty("head").GetDouble());
    }

    [Fact]
    public void A_slower_head_is_a_regression_in_every_format()
    {
        var report = Report(EndToEndComparer.Summarize("bench", "./run.sh", MetricNames.WallMs, Measured(100, 200)));
        Assert.True(report.HasRegression);
        Assert.Contains("❌ slower", CompareFormatter.Markdown(report));
        Assert.StartsWith("Regression: bench slower (+", CompareFormatter.Conclusion(report));
        Assert.Contains("\"regression\": true", CompareFormatter.Json(report));
    }

    [Fact]
    public void Markdown_is_one_table_row_per_benchmark_with_inert_text()
    {
        var md = CompareFormatter.Markdown(Report(
            EndToEndComparer.Summarize("bench1", "grep 'a|b' `x`", MetricNames.WallMs, Measured(200, 100)),
            EndToEndComparer.Summarize("bench2", "./two", MetricNames.WallMs, Measured(100, 101))));
        var rows = md.Split('\n').Where(l => l.StartsWith('|')).ToList();
        Assert.Equal(4, rows.Count);
        Assert.All(rows, r => Assert.Equal(10, r.Replace("\\|", "", StringComparison.Ordinal).Count(c => c == '|')));
        Assert.Contains("`` grep 'a\\|b' `x` ``", md);
        Assert.Contains("Base &lt;b&gt;subject&lt;/b&gt; \\| x", md);
    }

    [Fact]
    public void The_loop_line_has_the_spec_shape()
    {
        var report = Report(EndToEndComparer.Summarize("bench", "x", MetricNames.WallMs, Measured(200, 100)));
        var line = CompareFormatter.EndToEndLine(7, report, report.Benchmarks[0]);
        Assert.Matches(@"^\[experiment 7\] E2E: 202\.5ms → 102\.5ms \(\d\.\d\dx\)$", line);
    }
}
