using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Perfloop.Git;
using Perfloop.Reports;
using Perfloop.Statistics;

namespace Perfloop.Compare;

/// <summary>Renders a <see cref="CompareReport"/> as GitHub-flavoured markdown or versioned JSON, and the figures every rendering shares.</summary>
public static class CompareFormatter
{
    static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The spec's loop line: <c>[experiment N] E2E: 200.3ms → 101.2ms (1.98x)</c>.</summary>
    public static string EndToEndLine(int experiment, CompareReport report, BenchmarkComparison benchmark)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(benchmark);
        var speedup = benchmark.Speedup(report.Direction) is { } s ? s.ToString("0.00", Invariant) + "x" : "n/a";
        // The head's figure is the base median times the paired ratio, so it agrees with the speedup shown.
        return string.Create(Invariant,
            $"[experiment {experiment}] E2E: {Value(benchmark.BaseMedian, report.Unit)} → {Value(benchmark.HeadAtRatio, report.Unit)} ({speedup})");
    }

    /// <summary>A section fit for a pull-request comment or a CI job summary.</summary>
    public static string Markdown(CompareReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        text.Append(Invariant, $"### Perfloop compare: {MarkdownText.Code(report.Base.Ref)} → {MarkdownText.Code(report.Head.Ref)}\n\n");
        text.Append(Invariant, $"**{MarkdownText.Escape(Conclusion(report))}**\n\n");
        text.Append("| benchmark | base | head | head/base [interval] | change | verdict | peak RSS | allocations | pairs |\n");
        text.Append("|---|---:|---:|---|---:|---|---|---|---:|\n");
        foreach (var b in report.Benchmarks)
        {
            var icon = b.Verdict switch
            {
                CompareVerdict.Better => "✅ ",
                CompareVerdict.Worse => "❌ ",
                CompareVerdict.Failed => "⚠️ ",
                _ => "",
            };
            text.Append(Invariant,
                $"| {MarkdownText.Code(b.Command)} | {Value(b.BaseMedian, report.Unit)} | {Value(b.HeadMedian, report.Unit)} | {RatioText(b.Estimate)} | {ChangeText(b.Estimate)} | {icon}{VerdictText(report, b)} | {PairText(b.PeakRssMb, "MB")} | {MarkdownText.Escape(PairText(b.Allocations, ""))} | {b.Pairs} |\n");
        }

        text.Append('\n');
        foreach (var b in report.Benchmarks.Where(b => b.Failure is not null))
        {
            text.Append(Invariant, $"- {MarkdownText.Code(b.Command)} failed: {MarkdownText.Escape(b.Failure!)}\n");
        }

        var level = report.Benchmarks.Select(b => b.Estimate?.ConfidenceLevel).OfType<double>().DefaultIfEmpty(1 - report.Alpha).Min();
        text.Append(Invariant,
            $"Base {MarkdownText.Code(CommitId.Abbreviate(report.Base.Commit))} {MarkdownText.Escape(report.Base.Subject)} · head {MarkdownText.Code(CommitId.Abbreviate(report.Head.Commit))} {MarkdownText.Escape(report.Head.Subject)}  \n");
        text.Append(Invariant,
            $"Metric `{report.Metric}` ({DirectionWords(report.Direction)}), medians of interleaved runs; head/base is the paired Hodges–Lehmann ratio with its {level * 100:0.##}% interval (sequential test, overall α = {report.Alpha:0.###}); changes within ±{report.ThresholdPct:0.##}% count as the same.\n");
        return text.ToString();
    }

    public static string Json(CompareReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("schema", CompareReport.SchemaId);
            WriteRef(json, "base", report.Base);
            WriteRef(json, "head", report.Head);
            json.WriteString("domain", report.Domain);
            json.WriteString("metric", report.Metric);
            json.WriteString("unit", report.Unit);
            json.WriteString("direction", report.Direction == MetricDirection.LowerIsBetter ? "lower_is_better" : "higher_is_better");
            json.WriteNumber("thresholdPct", report.ThresholdPct);
            json.WriteNumber("alpha", report.Alpha);
            json.WriteString("started", report.Started.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", Invariant));
            json.WriteNumber("elapsedSeconds", Math.Round(report.Elapsed.TotalSeconds, 3));
            json.WriteBoolean("regression", report.HasRegression);
            json.WriteBoolean("failed", report.HasFailure);
            json.WriteStartArray("benchmarks");
            foreach (var b in report.Benchmarks)
            {
                WriteBenchmark(json, report, b);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    static void WriteBenchmark(Utf8JsonWriter json, CompareReport report, BenchmarkComparison b)
    {
        json.WriteStartObject();
        json.WriteString("name", b.Name);
        json.WriteString("command", b.Command);
        Number(json, "base", b.BaseMedian);
        Number(json, "head", b.HeadMedian);
        Number(json, "ratio", b.Estimate?.Ratio);
        Number(json, "ciLow", b.Estimate is { IsBounded: true } e1 ? e1.Low : null);
        Number(json, "ciHigh", b.Estimate is { IsBounded: true } e2 ? e2.High : null);
        Number(json, "confidenceLevel", b.Estimate?.ConfidenceLevel);
        Number(json, "changePct", b.Estimate?.DeltaPct);
        Number(json, "speedup", b.Speedup(report.Direction));
        json.WriteString("verdict", report.VerdictWord(b.Verdict));
        json.WriteBoolean("significantlyWorse", b.SignificantlyWorse);
        json.WriteBoolean("significantlyBetter", b.SignificantlyBetter);
        json.WriteNumber("pairs", b.Pairs);
        json.WriteString("stopReason", b.StopReason);
        if (b.Failure is null)
        {
            json.WriteNull("failure");
        }
        else
        {
            json.WriteString("failure", b.Failure);
        }

        WritePair(json, "peakRssMb", b.PeakRssMb);
        WritePair(json, "allocations", b.Allocations);
        json.WriteStartArray("metrics");
        foreach (var metric in b.Metrics)
        {
            WritePairObject(json, metric);
        }

        json.WriteEndArray();
        json.WriteStartObject("samples");
        json.WriteStartArray("base");
        foreach (var v in b.BaseSamples)
        {
            json.WriteNumberValue(v);
        }

        json.WriteEndArray();
        json.WriteStartArray("head");
        foreach (var v in b.HeadSamples)
        {
            json.WriteNumberValue(v);
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    static void WriteRef(Utf8JsonWriter json, string name, RefInfo info)
    {
        json.WriteStartObject(name);
        json.WriteString("ref", info.Ref);
        json.WriteString("commit", info.Commit);
        json.WriteString("subject", info.Subject);
        json.WriteEndObject();
    }

    static void WritePair(Utf8JsonWriter json, string name, MedianPair? pair)
    {
        if (pair is null)
        {
            json.WriteNull(name);
            return;
        }

        json.WritePropertyName(name);
        WritePairObject(json, pair);
    }

    static void WritePairObject(Utf8JsonWriter json, MedianPair pair)
    {
        json.WriteStartObject();
        json.WriteString("name", pair.Name);
        Number(json, "base", pair.Base);
        Number(json, "head", pair.Head);
        json.WriteEndObject();
    }

    static void Number(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v))
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    /// <summary>One sentence on the whole comparison, led by what a reviewer must act on.</summary>
    public static string Conclusion(CompareReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.HasFailure)
        {
            return "A benchmark failed to run; no verdict for it.";
        }

        var worse = report.Benchmarks.Where(b => b.Verdict == CompareVerdict.Worse).ToList();
        if (worse.Count > 0)
        {
            return $"Regression: {string.Join(", ", worse.Select(b => $"{b.Name} {report.VerdictWord(CompareVerdict.Worse)} ({ChangeText(b.Estimate)})"))}.";
        }

        var better = report.Benchmarks.Where(b => b.Verdict == CompareVerdict.Better).ToList();
        if (better.Count > 0)
        {
            return $"Head is {report.VerdictWord(CompareVerdict.Better)}: {string.Join(", ", better.Select(b => $"{b.Name} {SpeedupText(report, b)}"))}; no regression.";
        }

        return report.Benchmarks.All(b => b.Verdict == CompareVerdict.Same)
            ? string.Create(Invariant, $"No change beyond ±{report.ThresholdPct:0.##}%.")
            : "Inconclusive: the measurement budget ended before the interval settled; no regression shown.";
    }

    public static string VerdictText(CompareReport report, BenchmarkComparison b) =>
        b.Verdict == CompareVerdict.Better ? $"{report.VerdictWord(b.Verdict)} ({SpeedupText(report, b)})" : report.VerdictWord(b.Verdict);

    static string SpeedupText(CompareReport report, BenchmarkComparison b) =>
        b.Speedup(report.Direction) is { } s ? s.ToString("0.00", Invariant) + "×" : "";

    public static string RatioText(RatioEstimate? e) => e switch
    {
        null => "—",
        { IsBounded: true } => string.Create(Invariant, $"{e.Ratio:0.000} [{e.Low:0.000}, {e.High:0.000}]"),
        _ => string.Create(Invariant, $"{e.Ratio:0.000} [too few pairs]"),
    };

    public static string ChangeText(RatioEstimate? e) => e is null ? "—" : string.Create(Invariant, $"{e.DeltaPct:+0.0;-0.0;0.0}%");

    public static string PairText(MedianPair? pair, string unit) => pair switch
    {
        null => "—",
        _ => $"{Plain(pair.Base, unit)} → {Plain(pair.Head, unit)}",
    };

    static string Plain(double? value, string unit) => value is { } v ? Format(v) + unit : "?";

    public static string Value(double? value, string unit) => value is { } v ? Format(v) + unit : "—";

    /// <summary>As <see cref="Figures.Measure"/> writes a result line (one decimal from 10 up, three below), with digits grouped from 10,000 (allocation counts).</summary>
    static string Format(double value) => Math.Abs(value) >= 10_000 ? value.ToString("#,0", Invariant) : Figures.Measure(value, "");

    public static string DirectionWords(MetricDirection direction) => direction == MetricDirection.LowerIsBetter ? "lower is better" : "higher is better";

}
