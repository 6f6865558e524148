using System.Globalization;
using Perfloop.Journal;

namespace Perfloop.IntegrationTests.Fixtures;

/// <summary>
/// A realistic session's results.tsv, shaped like the engine writes it: a baseline with its methodology, an escalation
/// found at the baseline (so it carries the baseline's number), keeps with e2e figures at full precision, discards of
/// every kind (two never measured), a crash, a plateau_check and a milestone event row, long reasons, and one
/// column this version does not know. docs/report-example.tsv is this file (a test keeps it so).
/// </summary>
public static class SampleSession
{
    static readonly DateTimeOffset Start = new(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);

    public static IReadOnlyList<ResultRow> Rows() =>
    [
        Row(0, ExperimentStatus.Baseline, "baseline", "unchanged code measured against itself (A/A)", 412.6318, 413.1027, 0.1141, -1.2036, 1.4187, 10, "noise calibration; effective threshold 5% (domain 5%, A/A noise 1.21% per run pair over 10 pairs, k = 1)") with
        {
            Extra = new Dictionary<string, string> { [ResultsTable.MethodologyColumn] = "e2d34573058b" },
        },
        Row(0, ExperimentStatus.Escalate, "gc_share", "suggests memory", null, null, null, null, null, null, "GC pause share 41.2% of the run ≥ 30% | suggests memory"),
        Row(1, ExperimentStatus.Keep, "Parser.ReadRecord", "Replace string.Split with a span tokenizer", 412.6318, 297.4472, -27.9145, -30.2217, -25.4903, 6, "improved −27.9% (CI −30.2…−25.5%), beyond the 5% threshold", "allocation", GuardStatus.Passed, e2e: (412.6318, 298.0451)),
        Row(2, ExperimentStatus.Discard, "Report.Render", "Cache formatted numbers", null, null, null, null, null, null, "output mismatch: oracle 1 ('dotnet out/App.dll report data/quarterly-2026.csv'): stdout differs at line 14: expected '3.50', got '3.5'", "caching"),
        Row(3, ExperimentStatus.Discard, "KeywordIndex.LookupCaseInsensitive keyword lookup", "Use a FrozenDictionary for the keyword index", 297.4472, 301.0196, 1.2011, -2.1093, 4.3312, 24, "not confirmed beyond the 5% threshold: +1.2% (CI −2.1…+4.3%) after 24 pairs", "data-structure"),
        Row(4, ExperimentStatus.Keep, "Aggregator.Sum", "Vectorise the column sum", 297.4472, 243.9107, -17.9983, -21.0391, -14.6322, 6, "improved −18.0% (CI −21.0…−14.6%), beyond the 5% threshold", "loops", GuardStatus.Passed, e2e: (412.6318, 245.2288)),
        Row(5, ExperimentStatus.Crash, "Loader", "Memory-map the input file", null, null, null, null, null, null, "build failed: exit code 1: src/Loader/MappedInput.cs(41,9): error CS0246: The type or namespace name 'MemoryMappedViewAccessorFactory' could not be found", "allocation"),
        Row(6, ExperimentStatus.Discard, "Parser.Quote", "Skip quote handling on plain fields", 243.9107, 219.0354, -10.1989, -12.8426, -7.5318, 6, "guard failure: 'dotnet test tests/Parser.Tests' exited with 1: 2 tests failed (QuotedFieldTests.Embedded_quote, QuotedFieldTests.Trailing_quote)", "algorithm", GuardStatus.Failed),
        Event(6, "plateau_check", "candidates left", "top 3 remaining candidates: Parser.ReadRecord (31.4%): optimizable; Writer.Flush (12.0%): optimizable; Program.Main (6.3%): optimizable; continuing"),
        Row(7, ExperimentStatus.Keep, "Program.Main", "Read the input once instead of twice", 243.9107, 216.8462, -11.0961, -13.9235, -8.2037, 10, "improved −11.1% (CI −13.9…−8.2%), beyond the 5% threshold", "algorithm", GuardStatus.Passed, e2e: (412.6318, 217.5329)),
        Event(7, "milestone", "perfloop/milestone-v1", "v1 — 3/7 experiments, cumulative wall_ms 412.6ms → 217.5ms (−47.3%, CI −48.0…−46.5%; 1.9x)"),
        Row(8, ExperimentStatus.Discard, "Writer.Flush", "Flush after every record for safety", 216.8462, 230.7279, 6.4016, 3.9143, 9.0087, 10, "regression: +6.4% (CI +3.9…+9.0%)", "io") with
        {
            Extra = new Dictionary<string, string> { ["alloc_mb"] = "529.0134" },
        },
        Row(9, ExperimentStatus.Keep, "Writer.Buffer", "Buffer output in 64 KiB chunks", 216.8462, 201.4375, -7.1057, -9.0021, -5.3374, 24, "improved −7.1% (CI −9.0…−5.3%), beyond the 5% threshold", "io", GuardStatus.Passed, e2e: (412.6318, 202.3166)),
        Row(10, ExperimentStatus.Discard, "Archive.ExportCsv", "Build the CSV export with a StringBuilder", null, null, null, null, null, null, "fidelity: not exercised by the benchmark: Archive.ExportCsv (src/Archive/Archive.cs) never ran in it (.perfloop/bottlenecks.json: nettrace, 222 samples, 105 distinct functions); make the benchmark run it or leave it out", "allocation"),
        Row(11, ExperimentStatus.Discard, "Parser.ReadRecord", "Unroll the tokenizer loop", 201.4375, 199.9241, -0.7513, -3.0154, 1.6278, 60, "not confirmed beyond the 5% threshold: −0.8% (CI −3.0…+1.6%) after 60 pairs", "loops"),
    ];

    /// <summary>
    /// The file as a later Perfloop would write it: this version's columns, then the columns it does not know
    /// (ResultsTable.Append writes only the columns this version knows).
    /// </summary>
    public static string Text()
    {
        var rows = Rows();
        var unknown = rows.SelectMany(r => r.Extra.Keys).Where(c => !ResultsTable.Columns.Contains(c)).Distinct().ToList();
        var lines = new List<string> { string.Join('\t', ResultsTable.Columns.Concat(unknown)) };
        lines.AddRange(rows.Select(r => string.Join('\t', new[] { ResultsTable.FormatRow(r) }.Concat(unknown.Select(c => ResultsTable.Escape(r.Extra.GetValueOrDefault(c, "")))))));
        return string.Join('\n', lines) + "\n";
    }

    public static string WriteTo(string directory)
    {
        var path = Path.Combine(directory, "results.tsv");
        File.WriteAllText(path, Text());
        return path;
    }

    static ResultRow Event(int after, string kind, string summary, string detail) => new()
    {
        Experiment = after,
        Timestamp = Start.AddMinutes((after * 4) + 2),
        Domain = "cpu",
        Target = kind,
        Summary = summary,
        Metric = "wall_ms",
        Status = ExperimentStatus.Event,
        Reason = detail,
    };

    static ResultRow Row(
        int n, ExperimentStatus status, string target, string summary,
        double? baseline, double? candidate, double? delta, double? low, double? high, int? runs, string reason,
        string category = "", GuardStatus guard = GuardStatus.NotRun, (double Base, double Head)? e2e = null)
    {
        var extra = new Dictionary<string, string>();
        if (e2e is { } e)
        {
            extra["e2e_base"] = Invariant(e.Base);
            extra["e2e_head"] = Invariant(e.Head);
            extra["e2e_speedup"] = Invariant(Math.Round(e.Base / e.Head, 4));
            extra["e2e_verdict"] = "faster";
        }

        return new ResultRow
        {
            Experiment = n,
            Timestamp = Start.AddMinutes(n * 4),
            Domain = "cpu",
            Target = target,
            Category = category,
            Strategy = category,
            Summary = summary,
            Metric = "wall_ms",
            Baseline = baseline,
            Candidate = candidate,
            DeltaPct = delta,
            CiLowPct = low,
            CiHighPct = high,
            Pairs = runs,
            ThresholdPct = 5,
            Status = status,
            Guard = guard,
            Commit = status == ExperimentStatus.Keep ? $"{n:x2}c0ffee{n:x2}deadbeef{n:x2}" : status is ExperimentStatus.Event or ExperimentStatus.Escalate ? "" : "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567",
            Reason = reason,
            Extra = extra,
        };
    }

    static string Invariant(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
