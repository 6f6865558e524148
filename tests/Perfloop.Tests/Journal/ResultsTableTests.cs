using System.Globalization;
using Perfloop.Journal;

namespace Perfloop.Tests.Journal;

public class ResultsTableTests
{
    static ResultRow Row(int n) => new()
    {
        Experiment = n,
        Timestamp = new DateTimeOffset(2026, 11, 26, 10, 30, 0, TimeSpan.Zero),
        Domain = "cpu",
        Target = "WordCounter.Count",
        Category = "algorithm",
        Strategy = "data-structure",
        Summary = "Use a dictionary",
        Metric = "wall_ms",
        Baseline = 812.4,
        Candidate = 540.25,
        DeltaPct = -33.5,
        CiLowPct = -35.125,
        CiHighPct = -31.8,
        Pairs = 14,
        ThresholdPct = 5,
        Status = ExperimentStatus.Keep,
        Guard = GuardStatus.Passed,
        Commit = "abc123",
        Reason = "improved",
    };

    [Fact]
    public void Header_has_the_required_columns()
    {
        foreach (var column in new[] { "experiment", "timestamp", "domain", "target", "category", "summary", "metric", "baseline", "candidate", "delta_pct", "ci_low_pct", "ci_high_pct", "pairs", "status", "commit", "reason" })
        {
            Assert.Contains(column, ResultsTable.Columns);
        }
    }

    [Fact]
    public void Numbers_are_culture_invariant_under_a_comma_decimal_culture()
    {
        var previous = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE");
            var line = ResultsTable.FormatRow(Row(3));
            Assert.Contains("\t812.4\t540.25\t-33.5\t-35.125\t-31.8\t14\t5\t", line);
            var back = ResultsTable.Parse(ResultsTable.Header + "\n" + line + "\n").Single();
            Assert.Equal(812.4, back.Baseline);
            Assert.Equal(-35.125, back.CiLowPct);
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void Tabs_newlines_and_backslashes_in_fields_are_escaped_and_restored()
    {
        var row = Row(1) with { Summary = "a\tb\nc\\d\r", Reason = "line1\nline2" };
        var line = ResultsTable.FormatRow(row);
        Assert.DoesNotContain('\n', line);
        Assert.Equal(ResultsTable.Columns.Count, line.Split('\t').Length);
        var back = ResultsTable.Parse(ResultsTable.Header + "\n" + line).Single();
        Assert.Equal(row.Summary, back.Summary);
        Assert.Equal(row.Reason, back.Reason);
    }

    [Theory]
    [InlineData(ExperimentStatus.Keep, GuardStatus.Passed, "keep guard_pass")]
    [InlineData(ExperimentStatus.Discard, GuardStatus.Failed, "discard guard_fail")]
    [InlineData(ExperimentStatus.Discard, GuardStatus.NotRun, "discard")]
    [InlineData(ExperimentStatus.Baseline, GuardStatus.NotRun, "baseline")]
    [InlineData(ExperimentStatus.Crash, GuardStatus.NotRun, "crash")]
    public void Status_column_starts_with_the_status_and_adds_the_guard(ExperimentStatus status, GuardStatus guard, string expected)
    {
        var row = Row(1) with { Status = status, Guard = guard };
        Assert.Equal(expected, row.StatusText);
        var back = ResultsTable.Parse(ResultsTable.Header + "\n" + ResultsTable.FormatRow(row)).Single();
        Assert.Equal(status, back.Status);
        Assert.Equal(guard, back.Guard);
    }

    [Fact]
    public void Append_writes_the_header_once_and_one_line_per_row()
    {
        var path = Path.Combine(Path.GetTempPath(), $"perfloop-tsv-{Guid.NewGuid():N}", "results.tsv");
        try
        {
            ResultsTable.Append(path, Row(0) with { Status = ExperimentStatus.Baseline, Guard = GuardStatus.NotRun });
            ResultsTable.Append(path, Row(1));
            ResultsTable.Append(path, Row(2) with { Baseline = null, Candidate = null });
            var lines = File.ReadAllLines(path);
            Assert.Equal(4, lines.Length);
            Assert.Equal(ResultsTable.Header, lines[0]);
            var rows = ResultsTable.Read(path);
            Assert.Equal([0, 1, 2], rows.Select(r => r.Experiment));
            Assert.Null(rows[2].Baseline);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public void Unknown_columns_are_kept()
    {
        var text = ResultsTable.Header + "\te2e_ms\n" + ResultsTable.FormatRow(Row(1)) + "\t123.5\n";
        var row = ResultsTable.Parse(text).Single();
        Assert.Equal("123.5", row.Extra["e2e_ms"]);
    }

    [Fact]
    public void A_file_from_an_older_version_is_upgraded_to_the_current_header_keeping_every_row()
    {
        var path = Path.Combine(Path.GetTempPath(), $"perfloop-tsv-{Guid.NewGuid():N}", "results.tsv");
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var oldColumns = "experiment\ttimestamp\tdomain\tstatus\treason\tlegacy_note";
            File.WriteAllText(path, oldColumns + "\n0\t2026-11-01T00:00:00Z\tcpu\tbaseline\tcalibration\tkept me\n");
            ResultsTable.Append(path, Row(1) with { Extra = new Dictionary<string, string> { ["e2e_speedup"] = "1.9" } });
            var lines = File.ReadAllLines(path);
            Assert.StartsWith(ResultsTable.Header, lines[0]);
            var rows = ResultsTable.Read(path);
            Assert.Equal([0, 1], rows.Select(r => r.Experiment));
            Assert.Equal("kept me", rows[0].Extra["legacy_note"]);
            Assert.Equal("1.9", rows[1].Extra["e2e_speedup"]);

            ResultsTable.Append(path, Row(2));
            Assert.Equal(4, File.ReadAllLines(path).Length);
            Assert.Equal("kept me", ResultsTable.Read(path)[0].Extra["legacy_note"]);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public void A_malformed_number_names_the_line_and_column()
    {
        var line = ResultsTable.FormatRow(Row(1)).Replace("812.4", "8,12", StringComparison.Ordinal);
        var error = Assert.Throws<Perfloop.Errors.PerfloopException>(() => ResultsTable.Parse(ResultsTable.Header + "\n" + line));
        Assert.Contains("line 2", error.Message);
        Assert.Contains("baseline", error.Message);
    }

    [Fact]
    public void A_torn_last_row_is_ignored_by_readers_and_cut_before_the_next_append()
    {
        var path = Path.Combine(Path.GetTempPath(), $"perfloop-tsv-{Guid.NewGuid():N}", "results.tsv");
        try
        {
            ResultsTable.Append(path, Row(0));
            var whole = ResultsTable.FormatRow(Row(1));
            File.AppendAllText(path, whole[..(whole.Length / 2)]);
            Assert.Equal([0], ResultsTable.Read(path).Select(r => r.Experiment));
            ResultsTable.Append(path, Row(1));
            Assert.Equal([0, 1], ResultsTable.Read(path).Select(r => r.Experiment));
            Assert.Equal(3, File.ReadAllLines(path).Length);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public async Task A_reader_during_appends_never_sees_a_torn_row()
    {
        // Writers are serialized by the repository lock; readers (status, reports) are not and may catch a write half-way.
        var path = Path.Combine(Path.GetTempPath(), $"perfloop-tsv-{Guid.NewGuid():N}", "results.tsv");
        try
        {
            ResultsTable.Append(path, Row(0));
            var writer = Task.Run(() =>
            {
                for (var i = 1; i < 300; i++)
                {
                    ResultsTable.Append(path, Row(i) with { Reason = new string('r', 6000) });
                }
            });
            var seen = 1;
            while (!writer.IsCompleted)
            {
                var rows = ResultsTable.Read(path);
                Assert.True(rows.Count >= seen, $"{rows.Count} rows after {seen}");
                Assert.All(rows, r => Assert.True(r.Experiment == 0 || r.Reason.Length == 6000, $"row {r.Experiment} is torn"));
                seen = rows.Count;
            }

            await writer;
            Assert.Equal(Enumerable.Range(0, 300), ResultsTable.Read(path).Select(r => r.Experiment));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public void A_repeated_experiment_number_is_reported_with_the_number()
    {
        var path = Path.Combine(Path.GetTempPath(), $"perfloop-tsv-{Guid.NewGuid():N}", "results.tsv");
        try
        {
            ResultsTable.Append(path, Row(4));
            ResultsTable.Append(path, Row(4));
            var error = Assert.Throws<Perfloop.Errors.PerfloopException>(() => ResultsTable.Read(path));
            Assert.Contains("experiment number 4 appears on more than one row", error.Message);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public void Micro_and_fidelity_columns_round_trip()
    {
        var row = Row(4) with { MicroDeltaPct = -41.25, MicroCiLowPct = -45.5, MicroCiHighPct = -37, Fidelity = "pass: the benchmark runs PrimeScanner.PrimesUpTo (36.2% of samples)" };
        var back = ResultsTable.Parse(ResultsTable.Header + "\n" + ResultsTable.FormatRow(row)).Single();
        Assert.Equal(-41.25, back.MicroDeltaPct);
        Assert.Equal(-45.5, back.MicroCiLowPct);
        Assert.Equal(-37, back.MicroCiHighPct);
        Assert.Equal(row.Fidelity, back.Fidelity);
    }

    [Fact]
    public void A_file_written_before_the_micro_columns_is_read_and_upgraded_on_append()
    {
        // The header and a row as the version before these columns wrote them, plus a user's own column.
        var oldColumns = ResultsTable.Columns.TakeWhile(c => c != "micro_delta_pct").Append("e2e_ms").ToList();
        var oldCells = ResultsTable.FormatRow(Row(1)).Split('\t').Take(oldColumns.Count - 1).Append("123.5");
        var oldRow = string.Join('\t', oldCells);
        var path = Path.Combine(Path.GetTempPath(), $"perfloop-results-{Guid.NewGuid():N}.tsv");
        try
        {
            File.WriteAllText(path, string.Join('\t', oldColumns) + "\n" + oldRow + "\n");
            var old = Assert.Single(ResultsTable.Read(path));
            Assert.Null(old.MicroDeltaPct);
            Assert.Equal("", old.Fidelity);

            ResultsTable.Append(path, Row(2) with { MicroDeltaPct = -12, Fidelity = "unchecked: no profile" });
            var lines = File.ReadAllLines(path);
            Assert.Equal(ResultsTable.Header + "\te2e_ms", lines[0]);
            var rows = ResultsTable.Read(path);
            Assert.Equal([1, 2], rows.Select(r => r.Experiment));
            Assert.Equal("123.5", rows[0].Extra["e2e_ms"]);
            Assert.Equal(-12, rows[1].MicroDeltaPct);
            Assert.Equal("unchecked: no profile", rows[1].Fidelity);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

public class ResultsTablePairsColumnTests
{
    [Fact]
    public void A_file_written_when_the_pairs_column_was_called_runs_reads_the_same()
    {
        var old = "experiment\ttimestamp\tdomain\tstatus\truns\n1\t2026-11-01T00:00:00Z\tcpu\tdiscard\t16\n";
        Assert.Equal(16, ResultsTable.Parse(old).Single().Pairs);
        Assert.Contains("\tpairs\t", ResultsTable.Header, StringComparison.Ordinal);
        Assert.DoesNotContain("\truns\t", ResultsTable.Header, StringComparison.Ordinal);
    }
}
