using Perfloop.Journal;

namespace Perfloop.IntegrationTests.Fixtures;

/// <summary>A realistic session's results.tsv: keeps, discards of every kind, a crash, an escalation, a milestone and e2e columns.</summary>
public static class SampleSession
{
    static readonly DateTimeOffset Start = new(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);

    public static IReadOnlyList<ResultRow> Rows()
    {
        var rows = new List<ResultRow>
        {
            Row(0, ExperimentStatus.Baseline, "baseline", "unchanged code measured against itself (A/A)", 412.6, 413.1, 0.1, -1.2, 1.4, 10, "noise calibration; effective threshold 5%"),
            Row(1, ExperimentStatus.Keep, "Parser.ReadRecord", "Replace string.Split with a span tokenizer", 412.6, 297.4, -27.9, -30.2, -25.5, 6, "improved beyond the threshold: -27.9% [-30.2%, -25.5%]", "allocation", GuardStatus.Passed, e2e: (412.6, 298.0)),
            Row(2, ExperimentStatus.Discard, "Report.Render", "Cache formatted numbers", null, null, null, null, null, null, "output differs from the oracle: line 14: '3.50' vs '3.5'", "caching"),
            Row(3, ExperimentStatus.Discard, "Index.Lookup", "Use a FrozenDictionary for the keyword index", 297.4, 301.0, 1.2, -2.1, 4.3, 24, "same within ±5%: +1.2% [-2.1%, +4.3%]", "data-structure", GuardStatus.Passed),
            Row(4, ExperimentStatus.Keep, "Aggregator.Sum", "Vectorise the column sum", 297.4, 243.9, -18.0, -21.0, -14.6, 6, "improved beyond the threshold: -18.0% [-21.0%, -14.6%]", "loops", GuardStatus.Passed, e2e: (412.6, 245.2)),
            Row(5, ExperimentStatus.Crash, "Loader", "Memory-map the input file", null, null, null, null, null, null, "build failed: exit code 1: Loader.cs(41,9): error CS0246", "allocation"),
            Row(6, ExperimentStatus.Discard, "Parser.Quote", "Skip quote handling on plain fields", 243.9, 219.0, -10.2, -12.8, -7.5, 6, "guard failed: 2 tests failed (QuotedFieldTests)", "algorithm", GuardStatus.Failed),
            Row(7, ExperimentStatus.Keep, "Program.Main", "Read the input once instead of twice", 243.9, 216.8, -11.1, -13.9, -8.2, 10, "improved beyond the threshold: -11.1% [-13.9%, -8.2%]", "algorithm", GuardStatus.Passed, e2e: (412.6, 217.5), milestone: "v1"),
            Row(8, ExperimentStatus.Escalate, "GC", "GC takes 41% of the run: hand over to the memory domain", 216.8, null, null, null, null, null, "GC share 41% > 30%: memory domain", "gc-settings"),
            Row(9, ExperimentStatus.Discard, "Writer.Flush", "Flush after every record for safety", 216.8, 230.7, 6.4, 3.9, 9.0, 10, "regressed: +6.4% [+3.9%, +9.0%]", "io", GuardStatus.Passed),
            Row(10, ExperimentStatus.Keep, "Writer.Buffer", "Buffer output in 64 KiB chunks", 216.8, 201.4, -7.1, -9.0, -5.3, 24, "improved beyond the threshold: -7.1% [-9.0%, -5.3%]", "io", GuardStatus.Passed, e2e: (412.6, 202.3)),
            Row(11, ExperimentStatus.Discard, "Parser.ReadRecord", "Unroll the tokenizer loop", 201.4, 199.9, -0.7, -3.0, 1.6, 60, "same within ±5%: -0.7% [-3.0%, +1.6%]", "loops", GuardStatus.Passed),
        };
        return rows;
    }

    /// <summary>
    /// Writes the rows with the extra columns after the standard ones, as a later Perfloop would (ResultsTable.Append
    /// writes only the columns this version knows).
    /// </summary>
    public static string WriteTo(string directory)
    {
        var rows = Rows();
        var extras = rows.SelectMany(r => r.Extra.Keys).Distinct().ToList();
        var lines = new List<string> { string.Join('\t', ResultsTable.Columns.Concat(extras)) };
        lines.AddRange(rows.Select(r => string.Join('\t', new[] { ResultsTable.FormatRow(r) }.Concat(extras.Select(c => ResultsTable.Escape(r.Extra.GetValueOrDefault(c, "")))))));
        var path = Path.Combine(directory, "results.tsv");
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
        return path;
    }

    static ResultRow Row(
        int n, ExperimentStatus status, string target, string summary,
        double? baseline, double? candidate, double? delta, double? low, double? high, int? runs, string reason,
        string category = "", GuardStatus guard = GuardStatus.NotRun, (double Base, double Head)? e2e = null, string? milestone = null)
    {
        var extra = new Dictionary<string, string>();
        if (e2e is { } e)
        {
            extra["e2e_base_ms"] = e.Base.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
            extra["e2e_head_ms"] = e.Head.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
            extra["e2e_speedup"] = (e.Base / e.Head).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
        }

        if (milestone is not null)
        {
            extra["milestone"] = milestone;
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
            Runs = runs,
            ThresholdPct = 5,
            Status = status,
            Guard = guard,
            Commit = status == ExperimentStatus.Keep ? $"{n:x2}c0ffee{n:x2}deadbeef{n:x2}" : "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567",
            Reason = reason,
            Extra = extra,
        };
    }
}
