using System.Globalization;
using System.Text;
using Perfloop.Errors;
using Perfloop.Storage;

namespace Perfloop.Journal;

/// <summary>
/// Reads and writes <c>results.tsv</c>: one header line, one row per experiment, tab separated.
/// Numbers use the invariant culture; tabs, newlines and backslashes inside fields are escaped
/// (<c>\t</c>, <c>\n</c>, <c>\r</c>, <c>\\</c>) so a row is always one line.
/// </summary>
public static class ResultsTable
{
    /// <summary>Columns with a typed property on <see cref="ResultRow"/>.</summary>
    static readonly IReadOnlyList<string> TypedColumns =
    [
        "experiment", "timestamp", "domain", "target", "category", "strategy", "summary", "metric",
        "baseline", "candidate", "delta_pct", "ci_low_pct", "ci_high_pct", "pairs", "threshold_pct",
        "status", "commit", "reason",
        "micro_delta_pct", "micro_ci_low_pct", "micro_ci_high_pct", "fidelity",
    ];

    /// <summary>Columns filled by some experiments only; their values travel in <see cref="ResultRow.Extra"/>.</summary>
    public static readonly IReadOnlyList<string> OptionalColumns =
    [
        "e2e_base", "e2e_head", "e2e_speedup", "e2e_verdict", MethodologyColumn, LoadShiftColumn,
    ];

    /// <summary>A sharp change of the machine's load during the verdict, in words (it informs; it decides nothing).</summary>
    public const string LoadShiftColumn = "load_shift";

    /// <summary>A baseline row's methodology fingerprint; the whole methodology is in experiments/N/methodology.json.</summary>
    public const string MethodologyColumn = "methodology";

    public static readonly IReadOnlyList<string> Columns = [.. TypedColumns, .. OptionalColumns];

    public static string Header => string.Join('\t', Columns);

    public static string Escape(string value)
    {
        if (value.AsSpan().IndexOfAny("\\\t\n\r") < 0)
        {
            return value;
        }

        var text = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            text.Append(c switch
            {
                '\\' => "\\\\",
                '\t' => "\\t",
                '\n' => "\\n",
                '\r' => "\\r",
                _ => c.ToString(),
            });
        }

        return text.ToString();
    }

    public static string Unescape(string value)
    {
        if (!value.Contains('\\', StringComparison.Ordinal))
        {
            return value;
        }

        var text = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && i + 1 < value.Length)
            {
                i++;
                text.Append(value[i] switch
                {
                    't' => '\t',
                    'n' => '\n',
                    'r' => '\r',
                    _ => value[i],
                });
            }
            else
            {
                text.Append(value[i]);
            }
        }

        return text.ToString();
    }

    public static string FormatRow(ResultRow row)
    {
        var fields = new Dictionary<string, string>(row.Extra)
        {
            ["experiment"] = row.Experiment.ToString(CultureInfo.InvariantCulture),
            ["timestamp"] = row.Timestamp.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["domain"] = row.Domain,
            ["target"] = row.Target,
            ["category"] = row.Category,
            ["strategy"] = row.Strategy,
            ["summary"] = row.Summary,
            ["metric"] = row.Metric,
            ["baseline"] = Number(row.Baseline),
            ["candidate"] = Number(row.Candidate),
            ["delta_pct"] = Number(row.DeltaPct),
            ["ci_low_pct"] = Number(row.CiLowPct),
            ["ci_high_pct"] = Number(row.CiHighPct),
            ["pairs"] = row.Pairs?.ToString(CultureInfo.InvariantCulture) ?? "",
            ["threshold_pct"] = Number(row.ThresholdPct),
            ["status"] = row.StatusText,
            ["commit"] = row.Commit,
            ["reason"] = row.Reason,
            ["micro_delta_pct"] = Number(row.MicroDeltaPct),
            ["micro_ci_low_pct"] = Number(row.MicroCiLowPct),
            ["micro_ci_high_pct"] = Number(row.MicroCiHighPct),
            ["fidelity"] = row.Fidelity,
        };
        // Reasons may quote command output: secrets from the environment never reach the file. People read it: the
        // engine's neutral mentions of commands and inputs are written in the CLI's words.
        return Safety.SecretRedactor.Current.Redact(Errors.Mention.ForCommandLine(string.Join('\t', Columns.Select(c => Escape(fields.GetValueOrDefault(c, ""))))));
    }

    /// <summary>Four significant decimals are plenty for milliseconds and percentages, and keep the file readable.</summary>
    static string Number(double? value) =>
        value is { } v && double.IsFinite(v) ? Math.Round(v, 4).ToString("0.####", CultureInfo.InvariantCulture) : "";

    /// <summary>
    /// Appends one row as a single O_APPEND write, creating the file with its header when needed. A torn last line
    /// (a row whose write never completed) is cut off first: its experiment is still in the journal and recovery
    /// records it again (the cut assumes one writer: every writer holds the repository lock; readers need none).
    /// A file written by an older version (fewer columns) is first rewritten whole with the
    /// current header, atomically, rows kept.
    /// </summary>
    public static void Append(string path, ResultRow row)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        CutTornTail(path);
        var exists = File.Exists(path) && new FileInfo(path).Length > 0;
        var header = exists ? FirstLine(path) : Header;
        // Extra columns after ours (a newer tool's, or a user's) are fine: the row just leaves them empty.
        if (exists && header != Header && !header.StartsWith(Header + "\t", StringComparison.Ordinal))
        {
            Rewrite(path, [.. Read(path), row]);
            return;
        }

        var line = FormatRow(row) + "\n";
        AppendOnlyFile.AppendAll(path, exists ? line : Header + "\n" + line);
    }

    static void Rewrite(string path, IEnumerable<ResultRow> rows)
    {
        var extraColumns = rows.SelectMany(r => r.Extra.Keys).Where(c => !Columns.Contains(c)).Distinct().Order(StringComparer.Ordinal).ToList();
        var text = new StringBuilder(Header);
        foreach (var column in extraColumns)
        {
            text.Append('\t').Append(column);
        }

        text.Append('\n');
        foreach (var row in rows)
        {
            text.Append(FormatRow(row));
            foreach (var column in extraColumns)
            {
                text.Append('\t').Append(Escape(row.Extra.GetValueOrDefault(column, "")));
            }

            text.Append('\n');
        }

        AtomicFile.WriteAllText(path, text.ToString());
    }

    static string FirstLine(string path)
    {
        using var reader = new StreamReader(path);
        return reader.ReadLine() ?? "";
    }

    static void CutTornTail(string path)
    {
        if (!File.Exists(path))
        {
            return;
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        if (stream.Length == 0)
        {
            return;
        }

        stream.Seek(-1, SeekOrigin.End);
        if (stream.ReadByte() == '\n')
        {
            return;
        }

        var keep = stream.Length - 1;
        while (keep > 0)
        {
            stream.Seek(keep - 1, SeekOrigin.Begin);
            if (stream.ReadByte() == '\n')
            {
                break;
            }

            keep--;
        }

        stream.SetLength(keep);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Reads the table; a torn last line (no newline: its append was cut short) is ignored, duplicate numbers are an error.</summary>
    public static IReadOnlyList<ResultRow> Read(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        var text = File.ReadAllText(path);
        var end = text.LastIndexOf('\n');
        if (end >= 0 && end < text.Length - 1)
        {
            text = text[..(end + 1)];
        }

        var rows = Parse(text, path);
        if (DuplicateNumber(rows) is { } duplicate)
        {
            throw new PerfloopException($"{path}: experiment number {duplicate} appears on more than one row; the file was edited or written by two runs at once — keep one of the rows and renumber the other");
        }

        return rows;
    }

    /// <summary>
    /// The first number used by more than one experiment, or null when all are unique. Baseline, escalation and policy
    /// event rows carry the number of the experiment they follow, so they are not counted.
    /// </summary>
    public static int? DuplicateNumber(IEnumerable<ResultRow> rows)
    {
        var seen = new HashSet<int>();
        foreach (var row in rows.Where(r => r.IsExperiment))
        {
            if (!seen.Add(row.Experiment))
            {
                return row.Experiment;
            }
        }

        return null;
    }

    public static IReadOnlyList<ResultRow> Parse(string text, string source = "results.tsv")
    {
        var lines = text.Split('\n');
        if (lines.Length == 0 || lines[0].Trim().Length == 0)
        {
            return [];
        }

        var header = lines[0].TrimEnd('\r').Split('\t');
        var rows = new List<ResultRow>();
        for (var i = 1; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            var cells = line.Split('\t');
            var fields = new Dictionary<string, string>();
            for (var c = 0; c < header.Length; c++)
            {
                fields[header[c]] = c < cells.Length ? Unescape(cells[c]) : "";
            }

            rows.Add(ToRow(fields, source, i + 1));
        }

        return rows;
    }

    static ResultRow ToRow(Dictionary<string, string> fields, string source, int lineNumber)
    {
        string Get(string column) => fields.GetValueOrDefault(column, "");

        double? Double(string column)
        {
            var text = Get(column);
            if (text.Length == 0)
            {
                return null;
            }

            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw new PerfloopException($"{source}: line {lineNumber}: column '{column}' is not a number: '{text}'");
        }

        if (!int.TryParse(Get("experiment"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var experiment))
        {
            throw new PerfloopException($"{source}: line {lineNumber}: column 'experiment' is not a number: '{Get("experiment")}'");
        }

        var statusWords = Get("status").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (statusWords.Length == 0 || !Enum.TryParse<ExperimentStatus>(statusWords[0], ignoreCase: true, out var status))
        {
            throw new PerfloopException($"{source}: line {lineNumber}: unknown status '{Get("status")}'");
        }

        var guard = statusWords.Skip(1).FirstOrDefault() switch
        {
            "guard_pass" => GuardStatus.Passed,
            "guard_fail" => GuardStatus.Failed,
            "no_guard" => GuardStatus.NoGuard,
            _ => GuardStatus.NotRun,
        };

        _ = DateTimeOffset.TryParse(Get("timestamp"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var timestamp);
        var pairsColumn = Get("pairs").Length > 0 ? "pairs" : Get("runs").Length > 0 ? "runs" : "";
        return new ResultRow
        {
            Experiment = experiment,
            Timestamp = timestamp,
            Domain = Get("domain"),
            Target = Get("target"),
            Category = Get("category"),
            Strategy = Get("strategy"),
            Summary = Get("summary"),
            Metric = Get("metric"),
            Baseline = Double("baseline"),
            Candidate = Double("candidate"),
            DeltaPct = Double("delta_pct"),
            CiLowPct = Double("ci_low_pct"),
            CiHighPct = Double("ci_high_pct"),
            // "pairs" was called "runs" before; old files read the same.
            Pairs = pairsColumn.Length == 0 ? null : (int?)Double(pairsColumn),
            ThresholdPct = Double("threshold_pct"),
            Status = status,
            Guard = guard,
            Commit = Get("commit"),
            Reason = Get("reason"),
            MicroDeltaPct = Double("micro_delta_pct"),
            MicroCiLowPct = Double("micro_ci_low_pct"),
            MicroCiHighPct = Double("micro_ci_high_pct"),
            Fidelity = Get("fidelity"),
            Extra = fields.Where(f => !TypedColumns.Contains(f.Key) && f.Value.Length > 0).ToDictionary(f => f.Key, f => f.Value),
        };
    }
}
