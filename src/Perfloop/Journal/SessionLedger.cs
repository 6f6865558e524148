using Perfloop.Configuration;

namespace Perfloop.Journal;

/// <summary>
/// The repository's experiment record (<c>.perfloop/results.tsv</c>), read once and kept in memory: every row is appended
/// to the file and to memory together, so the loop never re-parses the table and never holds a second list. Numbering
/// lives here too: experiments are numbered 1, 2, 3… without gaps; baseline, escalation and event rows carry the number of
/// the last experiment before them (0 before the first), so a new session does not skip a number. One process writes at a
/// time (it holds the repository lock); another process opens its own ledger.
/// </summary>
public sealed class SessionLedger
{
    readonly List<ResultRow> rows;

    SessionLedger(string path, List<ResultRow> rows)
    {
        Path = path;
        this.rows = rows;
    }

    public string Path { get; }

    public IReadOnlyList<ResultRow> Rows => rows;

    /// <summary>Reads the repository's results table (empty when there is none yet).</summary>
    public static SessionLedger Open(string repositoryRoot)
    {
        var path = PerfloopPaths.Results(repositoryRoot);
        return new SessionLedger(path, [.. ResultsTable.Read(path)]);
    }

    /// <summary>A ledger over rows already in memory, written nowhere: for replays and simulations.</summary>
    public static SessionLedger InMemory(IEnumerable<ResultRow> rows) => new("", [.. rows]);

    /// <summary>The number the next experiment gets.</summary>
    public int NextExperimentNumber => LastNumber + 1;

    /// <summary>The number a baseline, escalation or event row gets now: that of the last experiment (0 before any).</summary>
    public int LastNumber => rows.Count == 0 ? 0 : rows.Max(r => r.Experiment);

    /// <summary>The latest baseline row: it starts the current session and fixes its threshold and methodology.</summary>
    public ResultRow? LatestBaseline => rows.LastOrDefault(r => r.Status == ExperimentStatus.Baseline);

    /// <summary>The rows of the current session: from the latest baseline row on (all rows when there is none).</summary>
    public IReadOnlyList<ResultRow> CurrentSession => SessionRows(rows);

    /// <summary>The measured row of experiment <paramref name="number"/> (not an event or escalation row that shares it), or null.</summary>
    public ResultRow? Experiment(int number) => rows.LastOrDefault(r => r.Experiment == number && r.IsExperiment);

    /// <summary>Writes the row to the file (one O_APPEND write, flushed), then remembers it.</summary>
    public ResultRow Append(ResultRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (Path.Length > 0)
        {
            ResultsTable.Append(Path, row);
        }

        rows.Add(row);
        return row;
    }

    /// <summary>The rows from the latest baseline row on (all rows when there is none).</summary>
    public static IReadOnlyList<ResultRow> SessionRows(IReadOnlyList<ResultRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        for (var i = rows.Count - 1; i >= 0; i--)
        {
            if (rows[i].Status == ExperimentStatus.Baseline)
            {
                return rows.Skip(i).ToList();
            }
        }

        return rows;
    }
}
