using System.Globalization;
using System.Text;
using System.Text.Json;
using Perfloop.Experiments;
using Perfloop.Measurement;
using Perfloop.Statistics;

namespace Perfloop.Cli.Rendering;

/// <summary>Text and JSON for <c>perfloop calibrate</c> and <c>perfloop verdict</c>.</summary>
static class MeasurementRendering
{
    static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string CalibrationText(CalibrationReport report)
    {
        var m = report.Metric;
        var e = report.Estimate;
        var text = new StringBuilder();
        text.AppendLine(Invariant, $"[calibrate] {report.Commit[..12]}, domain {report.Domain}, metric {m.Describe()}, {report.Noise.Pairs} pairs in {report.Elapsed.TotalSeconds:0.0}s");
        text.AppendLine(Invariant,
            $"[calibrate] {m.Name} {StatusLines.Measure(report.FirstMedian, m.Unit)} vs {StatusLines.Measure(report.SecondMedian, m.Unit)} (A/A {Signed(e.DeltaPct)}%, {e.ConfidenceLevel * 100:0.##}% CI {Signed(e.LowPct)}…{Signed(e.HighPct)}%)");
        text.AppendLine(Invariant,
            $"[calibrate] noise {report.Noise.NoisePct:0.##}% per run pair; effective keep threshold {report.Noise.EffectiveThresholdPct:0.##}% (domain {report.ConfiguredThresholdPct:0.##}%, k = {report.Noise.K:0.##})");
        text.AppendLine("pair\tside\torder\twall_ms\tcpu_ms\tpeak_rss_mb" + (IsBuiltIn(m.Name) ? "" : "\t" + m.Name));
        foreach (var s in report.Samples.OrderBy(s => s.Order))
        {
            text.Append(Invariant, $"{s.Pair}\t{(s.Side == Side.Baseline ? "A1" : "A2")}\t{s.Order}\t{s.WallMs:0.###}\t{N(s.CpuMs)}\t{N(s.PeakRssMb)}");
            text.AppendLine(IsBuiltIn(m.Name) ? "" : "\t" + N(s.Value(m.Name)));
        }

        return text.ToString();
    }

    public static string CalibrationJson(CalibrationReport report)
    {
        return Json(w =>
        {
            w.WriteString("commit", report.Commit);
            w.WriteString("domain", report.Domain);
            WriteMetric(w, report.Metric);
            w.WriteNumber("pairs", report.Noise.Pairs);
            w.WriteNumber("noisePct", report.Noise.NoisePct);
            w.WriteNumber("k", report.Noise.K);
            w.WriteNumber("configuredThresholdPct", report.ConfiguredThresholdPct);
            w.WriteNumber("effectiveThresholdPct", report.Noise.EffectiveThresholdPct);
            w.WriteNumber("medianA1", report.FirstMedian);
            w.WriteNumber("medianA2", report.SecondMedian);
            WriteEstimate(w, report.Estimate);
            w.WriteNumber("elapsedSeconds", report.Elapsed.TotalSeconds);
            w.WriteStartArray("runs");
            foreach (var s in report.Samples.OrderBy(s => s.Order))
            {
                w.WriteStartObject();
                w.WriteNumber("pair", s.Pair);
                w.WriteString("side", s.Side == Side.Baseline ? "A1" : "A2");
                w.WriteNumber("order", s.Order);
                w.WriteNumber("wallMs", s.WallMs);
                WriteOptional(w, "cpuMs", s.CpuMs);
                WriteOptional(w, "peakRssMb", s.PeakRssMb);
                w.WriteStartObject("metrics");
                foreach (var (name, value) in s.Metrics)
                {
                    w.WriteNumber(name, value);
                }

                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
    }

    public static string VerdictLine(ReplayedVerdict verdict) =>
        StatusLines.Result(verdict.Experiment, verdict.BaselineMedian, verdict.Unit, verdict.Result);

    public static string VerdictJson(ReplayedVerdict verdict) => Json(w =>
    {
        w.WriteNumber("experiment", verdict.Experiment);
        w.WriteString("metric", verdict.Metric);
        w.WriteString("unit", verdict.Unit);
        w.WriteNumber("baseline", verdict.BaselineMedian);
        w.WriteNumber("candidate", verdict.CandidateAtRatio);
        w.WriteString("verdict", StatusLines.Word(verdict.Result.Verdict));
        w.WriteNumber("thresholdPct", verdict.Result.ThresholdPct);
        WriteEstimate(w, verdict.Result.Estimate);
        w.WriteString("why", verdict.Why);
        w.WriteString("line", VerdictLine(verdict));
    });

    static void WriteMetric(Utf8JsonWriter w, SelectedMetric metric)
    {
        w.WriteStartObject("metric");
        w.WriteString("name", metric.Name);
        w.WriteString("goal", metric.Direction == MetricDirection.LowerIsBetter ? MetricSelection.Lower : MetricSelection.Higher);
        w.WriteString("unit", metric.Unit);
        w.WriteEndObject();
    }

    static void WriteEstimate(Utf8JsonWriter w, RatioEstimate e)
    {
        w.WriteNumber("pairs", e.Pairs);
        w.WriteNumber("ratio", e.Ratio);
        w.WriteNumber("deltaPct", e.DeltaPct);
        WriteFinite(w, "ciLowPct", e.LowPct);
        WriteFinite(w, "ciHighPct", e.HighPct);
        w.WriteNumber("confidenceLevel", e.ConfidenceLevel);
    }

    static void WriteOptional(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v)
        {
            WriteFinite(w, name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    /// <summary>JSON has no infinity: an unbounded interval end is null.</summary>
    static void WriteFinite(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value))
        {
            w.WriteNumber(name, value);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    static string Json(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    static bool IsBuiltIn(string metric) => metric is MetricNames.WallMs or MetricNames.CpuMs or MetricNames.PeakRssMb;

    static string Signed(double value) => (value >= 0 ? "+" : "−") + Math.Abs(value).ToString("0.0", Invariant);

    static string N(double? value) => value?.ToString("0.###", Invariant) ?? "";
}
