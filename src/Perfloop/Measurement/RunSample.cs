using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

using Perfloop.Configuration;

namespace Perfloop.Measurement;

public enum Side
{
    Baseline,
    Candidate,
}

/// <summary>One timed run of the benchmark command on one side.</summary>
public sealed record RunSample(
    int Pair,
    Side Side,
    int Order,
    double WallMs,
    double? CpuMs,
    double? PeakRssMb,
    int ExitCode,
    IReadOnlyDictionary<string, double> Metrics)
{
    /// <summary>How contended the run was (context switches, CPU pressure, run-queue wait); unknown for old samples.</summary>
    public RunLoad Load { get; init; } = RunLoad.None;

    /// <summary>
    /// The value of a metric by name: the built-in ones, the load evidence, or a metric the benchmark reported
    /// (a <c>METRIC name=value</c> line, a metrics file, the instruction counter's <c>instructions</c>).
    /// </summary>
    public double? Value(string metric) => metric switch
    {
        MetricNames.WallMs => WallMs,
        MetricNames.CpuMs => CpuMs,
        MetricNames.PeakRssMb => PeakRssMb,
        MetricNames.VoluntarySwitches => Load.VoluntarySwitches,
        MetricNames.InvoluntarySwitches => Load.InvoluntarySwitches,
        MetricNames.CpuPressurePct => Load.CpuPressurePct,
        MetricNames.LoadAverage => Load.LoadAverage,
        MetricNames.RunQueueWaitMs => Load.RunQueueWaitMs,
        _ => Metrics.TryGetValue(metric, out var v) ? v : null,
    };
}

public static partial class MetricNames
{
    public const string WallMs = MetricVocabulary.WallMs;
    public const string CpuMs = MetricVocabulary.CpuMs;
    public const string PeakRssMb = MetricVocabulary.PeakRssMb;

    /// <summary>Instructions retired by every process of a run, from the instruction counter (callgrind or perf).</summary>
    public const string Instructions = MetricVocabulary.Instructions;

    /// <summary>The metrics that may stand in for wall time in the cpu domain when the evidence says they are faithful.</summary>
    public static IReadOnlyList<string> TimeProxies { get; } = [WallMs, CpuMs, Instructions];

    // Load evidence of a run (see RunLoad): recorded in samples.tsv, never judged on.
    public const string VoluntarySwitches = "ctx_vol";
    public const string InvoluntarySwitches = "ctx_invol";
    public const string CpuPressurePct = "cpu_pressure_pct";
    public const string LoadAverage = "load1";
    public const string RunQueueWaitMs = "runq_wait_ms";

    /// <summary>Reads the <c>METRIC name=value</c> lines a benchmark prints, so a user's own harness can feed the loop.</summary>
    public static IReadOnlyDictionary<string, double> Parse(string stdout)
    {
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (Match match in MetricLine().Matches(stdout))
        {
            if (double.TryParse(match.Groups[2].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
            {
                metrics[match.Groups[1].Value] = value;
            }
        }

        return metrics;
    }

    /// <summary>The name with every character samples.tsv cannot hold replaced by '_'.</summary>
    public static string Sanitize(string name) => InvalidNameCharacter().Replace(name, "_");

    [GeneratedRegex(@"[^A-Za-z0-9_.\-:(),\[\]]")]
    private static partial Regex InvalidNameCharacter();

    /// <summary>Whether a name can be stored in samples.tsv (which reserves = ; tab and newlines).</summary>
    public static bool IsValidName(string name) => MetricVocabulary.IsValidName(name);

    [GeneratedRegex(@"^METRIC\s+([A-Za-z0-9_.\-]+)\s*=\s*([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*$", RegexOptions.Multiline)]
    private static partial Regex MetricLine();
}

/// <summary>
/// Writes and reads <c>samples.tsv</c>, the raw data behind a verdict. Columns are found by their header name, so
/// files written before the load evidence existed (8 columns) still parse, with that evidence unknown; the load
/// columns come after <c>metrics</c>, so an older Perfloop still reads what it knows of a newer file.
/// </summary>
public static class SampleTable
{
    const string Header = "pair\tside\torder\twall_ms\tcpu_ms\tpeak_rss_mb\texit_code\tmetrics\t"
        + MetricNames.VoluntarySwitches + "\t" + MetricNames.InvoluntarySwitches + "\t" + MetricNames.CpuPressurePct + "\t"
        + MetricNames.LoadAverage + "\t" + MetricNames.RunQueueWaitMs;

    public static string Format(IEnumerable<RunSample> samples)
    {
        var text = new StringBuilder(Header).Append('\n');
        foreach (var s in samples)
        {
            var metrics = string.Join(';', s.Metrics.Select(m => $"{m.Key}={m.Value.ToString("R", CultureInfo.InvariantCulture)}"));
            var load = s.Load;
            text.Append(CultureInfo.InvariantCulture,
                $"{s.Pair}\t{s.Side.ToString().ToLowerInvariant()}\t{s.Order}\t{N(s.WallMs)}\t{N(s.CpuMs)}\t{N(s.PeakRssMb)}\t{s.ExitCode}\t{metrics}\t{load.VoluntarySwitches}\t{load.InvoluntarySwitches}\t{N(load.CpuPressurePct)}\t{N(load.LoadAverage)}\t{N(load.RunQueueWaitMs)}\n");
        }

        return text.ToString();
    }

    public static IReadOnlyList<RunSample> Parse(string text)
    {
        var samples = new List<RunSample>();
        var lines = text.Split('\n');
        var header = lines[0].TrimEnd('\r').Split('\t');
        int Column(string name) => Array.IndexOf(header, name);
        var vol = Column(MetricNames.VoluntarySwitches);
        var invol = Column(MetricNames.InvoluntarySwitches);
        var pressure = Column(MetricNames.CpuPressurePct);
        var load1 = Column(MetricNames.LoadAverage);
        var runQueue = Column(MetricNames.RunQueueWaitMs);
        foreach (var line in lines.Skip(1))
        {
            var cells = line.TrimEnd('\r').Split('\t');
            if (cells.Length < 7)
            {
                continue;
            }

            string Cell(int index) => index >= 0 && index < cells.Length ? cells[index] : "";
            var metrics = (cells.Length > 7 ? cells[7] : "").Split(';', StringSplitOptions.RemoveEmptyEntries)
                .Select(m => m.Split('=', 2))
                .Where(p => p.Length == 2)
                .ToDictionary(p => p[0], p => double.Parse(p[1], CultureInfo.InvariantCulture));
            samples.Add(new RunSample(
                int.Parse(cells[0], CultureInfo.InvariantCulture),
                Enum.Parse<Side>(cells[1], ignoreCase: true),
                int.Parse(cells[2], CultureInfo.InvariantCulture),
                double.Parse(cells[3], CultureInfo.InvariantCulture),
                Optional(cells[4]),
                Optional(cells[5]),
                int.Parse(cells[6], CultureInfo.InvariantCulture),
                metrics)
            {
                Load = new RunLoad(
                    OptionalCount(Cell(vol)),
                    OptionalCount(Cell(invol)),
                    Optional(Cell(pressure)),
                    Optional(Cell(load1)),
                    Optional(Cell(runQueue))),
            });
        }

        return samples;
    }

    static string N(double? value) => value?.ToString("R", CultureInfo.InvariantCulture) ?? "";

    static double? Optional(string cell) => cell.Length == 0 ? null : double.Parse(cell, CultureInfo.InvariantCulture);

    static long? OptionalCount(string cell) => cell.Length == 0 ? null : long.Parse(cell, CultureInfo.InvariantCulture);
}
