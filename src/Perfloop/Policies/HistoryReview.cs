using System.Globalization;
using System.Text;
using Perfloop.Journal;

namespace Perfloop.Policies;

/// <summary>A file or directory where improving commits cluster.</summary>
public sealed record FocusArea(string Path, bool IsDirectory, int ImprovingCommits);

/// <summary>A strategy, category or target that failed often enough to avoid.</summary>
public sealed record AvoidedApproach(string Kind, string Name, int Failures, int Keeps, string LastReason);

/// <summary>What a successful experiment did, with its measured figure.</summary>
public sealed record Technique(string Summary, string Strategy, string Category, string Target, double? DeltaPct, string Commit);

/// <summary>One experiment commit as read from <c>git log --numstat</c>.</summary>
public sealed record ExperimentCommit(string Sha, string Subject, IReadOnlyDictionary<string, string> Trailers, IReadOnlyList<string> Files);

/// <summary>
/// Step 1 of every experiment: what the history says — where improvements cluster (focus), what failed
/// repeatedly (avoid), and which techniques worked. Built from one git log call and results.tsv.
/// </summary>
public sealed record HistoryReview(
    IReadOnlyList<FocusArea> Focus,
    IReadOnlyList<AvoidedApproach> Avoid,
    IReadOnlyList<Technique> Techniques,
    int ExperimentCommits,
    int Experiments)
{
    /// <summary>Commits or failures needed before a pattern counts (the spec's "3+").</summary>
    public const int DefaultThreshold = 3;

    /// <summary>Techniques listed, most recent first.</summary>
    public const int MaxTechniques = 5;

    /// <summary>The one git log call: experiment commits only (they carry the Perfloop-Experiment trailer), with numstat.</summary>
    public static IReadOnlyList<string> GitLogArguments(int? maxCommits) =>
    [
        "log", "--no-merges", "--numstat", "--no-renames", "--grep=^Perfloop-Experiment: ",
        "--format=%x1e%H%x1f%s%x1f%(trailers:only=true,unfold=true)%x1f",
        .. maxCommits is { } n ? new[] { $"-n{n.ToString(CultureInfo.InvariantCulture)}" } : [],
        "HEAD", "--",
    ];

    /// <summary>Schema of the JSON form (<c>perfloop history --json</c>).</summary>
    public string Schema { get; init; } = "perfloop.history/v1";

    /// <summary>Stdout kept from the one git log call: about 250 bytes per experiment commit, so ~250,000 commits.</summary>
    public const int MaxLogBytes = 64 << 20;

    /// <summary>A log cut at the capture cap ends in a partial commit; this keeps only whole ones.</summary>
    public static string CutAtLastRecord(string text)
    {
        var last = text.LastIndexOf('\x1e');
        return last <= 0 ? "" : text[..last];
    }

    /// <summary>Parses the output of <see cref="GitLogArguments"/>.</summary>
    public static IReadOnlyList<ExperimentCommit> ParseLog(string output)
    {
        var commits = new List<ExperimentCommit>();
        foreach (var record in output.Split('\x1e', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = record.Split('\x1f');
            if (fields.Length < 4)
            {
                continue;
            }

            var trailers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var line in fields[2].Split('\n'))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    trailers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
                }
            }

            var files = new List<string>();
            foreach (var line in fields[3].Split('\n'))
            {
                // numstat: "added<TAB>deleted<TAB>path" ("-" for binary files).
                var parts = line.Split('\t');
                if (parts.Length == 3 && parts[2].Length > 0)
                {
                    files.Add(parts[2]);
                }
            }

            commits.Add(new ExperimentCommit(fields[0].Trim(), fields[1], trailers, files));
        }

        return commits;
    }

    /// <summary>The review as a pure function of the experiment commits and the results rows.</summary>
    public static HistoryReview Build(IReadOnlyList<ExperimentCommit> commits, IReadOnlyList<ResultRow> rows, int threshold = DefaultThreshold)
    {
        var experiments = rows.Where(r => r.IsExperiment).ToList();

        // Only a KEEP commits, so every experiment commit is an improving one.
        var fileCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        var directoryCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var commit in commits)
        {
            foreach (var file in commit.Files.Distinct(StringComparer.Ordinal))
            {
                fileCounts[file] = fileCounts.GetValueOrDefault(file) + 1;
            }

            foreach (var directory in commit.Files.Select(DirectoryOf).Where(d => d.Length > 0).Distinct(StringComparer.Ordinal))
            {
                directoryCounts[directory] = directoryCounts.GetValueOrDefault(directory) + 1;
            }
        }

        var focusFiles = fileCounts.Where(f => f.Value >= threshold)
            .Select(f => new FocusArea(f.Key, false, f.Value)).ToList();
        // A directory is a focus area of its own when its improvements spread over several files.
        var focusDirectories = directoryCounts.Where(d => d.Value >= threshold
                && d.Value > focusFiles.Where(f => DirectoryOf(f.Path) == d.Key).Select(f => f.ImprovingCommits).DefaultIfEmpty(0).Max())
            .Select(d => new FocusArea(d.Key + "/", true, d.Value));
        var focus = focusFiles.Concat(focusDirectories)
            .OrderByDescending(f => f.ImprovingCommits).ThenBy(f => f.IsDirectory).ThenBy(f => f.Path, StringComparer.Ordinal).ToList();

        var avoid = new List<AvoidedApproach>();
        foreach (var (kind, key) in new (string, Func<ResultRow, string>)[] { ("strategy", r => r.Strategy), ("category", r => r.Category), ("target", r => r.Target) })
        {
            foreach (var group in experiments.Where(r => key(r).Length > 0).GroupBy(key, StringComparer.OrdinalIgnoreCase))
            {
                var failures = group.Count(r => r.Status != ExperimentStatus.Keep);
                var keeps = group.Count(r => r.Status == ExperimentStatus.Keep);
                if (failures >= threshold && failures > keeps)
                {
                    avoid.Add(new AvoidedApproach(kind, group.Key, failures, keeps, group.Last(r => r.Status != ExperimentStatus.Keep).Reason));
                }
            }
        }

        var techniques = new List<Technique>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var keep in experiments.Where(r => r.Status == ExperimentStatus.Keep).Reverse())
        {
            techniques.Add(new Technique(keep.Summary, keep.Strategy, keep.Category, keep.Target, keep.DeltaPct, keep.Commit));
            seen.Add(keep.Commit);
        }

        // Commits whose results.tsv is gone (another clone, a reset journal) still teach what worked.
        foreach (var commit in commits.Where(c => !seen.Contains(c.Sha)))
        {
            techniques.Add(new Technique(
                commit.Subject,
                commit.Trailers.GetValueOrDefault("Strategy", ""),
                commit.Trailers.GetValueOrDefault("Category", ""),
                commit.Trailers.GetValueOrDefault("Target", ""),
                DeltaOfMetricTrailer(commit.Trailers.GetValueOrDefault("Perfloop-Metric", "")),
                commit.Sha));
        }

        return new HistoryReview(focus, avoid.OrderByDescending(a => a.Failures).ToList(), techniques.Take(MaxTechniques).ToList(), commits.Count, experiments.Count);
    }

    /// <summary>The relative change in a "wall_ms 300ms → 150ms (−50.0%, 95% CI …)" trailer, or null.</summary>
    public static double? DeltaOfMetricTrailer(string trailer)
    {
        var open = trailer.IndexOf('(', StringComparison.Ordinal);
        var percent = open < 0 ? -1 : trailer.IndexOf('%', open);
        if (percent < 0)
        {
            return null;
        }

        var text = trailer[(open + 1)..percent].Replace('−', '-').Replace("+", "", StringComparison.Ordinal);
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    static string DirectoryOf(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? "" : path[..slash];
    }

    public bool IsEmpty => Focus.Count == 0 && Avoid.Count == 0 && Techniques.Count == 0;

    /// <summary>Whether a target in <paramref name="file"/> (or named <paramref name="name"/>) lies in a focus area.</summary>
    public bool InFocus(string? file, string name) =>
        Focus.Any(f => file is not null && (f.IsDirectory ? file.StartsWith(f.Path, StringComparison.Ordinal) : file == f.Path || file.EndsWith("/" + f.Path, StringComparison.Ordinal)))
        || Focus.Any(f => !f.IsDirectory && name.Contains(Path.GetFileNameWithoutExtension(f.Path), StringComparison.Ordinal));

    /// <summary>Whether <paramref name="kind"/> <paramref name="name"/> failed often enough to avoid.</summary>
    public bool Avoids(string kind, string name) =>
        name.Length > 0 && Avoid.Any(a => a.Kind == kind && string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The brief line printed before each Target line.</summary>
    public string Brief()
    {
        if (IsEmpty)
        {
            return Experiments == 0 ? "no experiments yet" : $"{Experiments} experiment(s), no pattern yet (3+ needed)";
        }

        var parts = new List<string>();
        if (Focus.Count > 0)
        {
            parts.Add("focus " + string.Join(", ", Focus.Take(3).Select(f => $"{f.Path} ({f.ImprovingCommits} improving commits)")));
        }

        if (Avoid.Count > 0)
        {
            parts.Add("avoid " + string.Join(", ", Avoid.Take(3).Select(a => $"{a.Kind} {a.Name} ({a.Failures} discards)")));
        }

        if (Techniques.Count > 0)
        {
            parts.Add("worked: " + string.Join(", ", Techniques.Take(2).Select(Describe)));
        }

        return string.Join("; ", parts);
    }

    static string Describe(Technique t)
    {
        var label = string.Join(", ", new[] { t.Strategy, Percent(t.DeltaPct) }.Where(s => s.Length > 0));
        return label.Length > 0 ? $"{t.Summary} ({label})" : t.Summary;
    }

    static string Percent(double? delta) => delta is { } d ? string.Create(CultureInfo.InvariantCulture, $"{(d < 0 ? "−" : "+")}{Math.Abs(d):0.#}%") : "";

    /// <summary>Markdown for an agent's prompt and for <c>perfloop history</c>.</summary>
    /// <param name="headingLevel">2 for a document of its own, 3 inside a prompt's section.</param>
    public string ToMarkdown(int headingLevel = 2)
    {
        var h = new string('#', headingLevel);
        var text = new StringBuilder();
        text.Append(h).Append(" History review\n\n");
        text.Append(CultureInfo.InvariantCulture, $"{Experiments} experiment(s) in results.tsv, {ExperimentCommits} kept experiment commit(s) in git.\n\n");
        text.Append(h).Append("# Focus (3+ improving commits)\n\n");
        AppendList(text, Focus.Select(f => $"`{f.Path}` — {f.ImprovingCommits} improving commits"), "none yet");
        text.Append(h).Append("# Avoid (failed 3+ times)\n\n");
        AppendList(text, Avoid.Select(a => $"{a.Kind} `{a.Name}` — {a.Failures} discards, {a.Keeps} keeps; last: {a.LastReason}"), "nothing yet");
        text.Append(h).Append("# Techniques that worked\n\n");
        AppendList(text, Techniques.Select(t => $"{Describe(t)}{(t.Target.Length > 0 ? $" on {t.Target}" : "")} — look for similar opportunities elsewhere"), "none yet");
        return text.ToString();
    }

    static void AppendList(StringBuilder text, IEnumerable<string> items, string empty)
    {
        var any = false;
        foreach (var item in items)
        {
            text.Append("- ").Append(item).Append('\n');
            any = true;
        }

        if (!any)
        {
            text.Append("- ").Append(empty).Append('\n');
        }

        text.Append('\n');
    }
}
