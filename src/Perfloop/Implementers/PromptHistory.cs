using System.Globalization;
using System.Text;
using Perfloop.Journal;

namespace Perfloop.Implementers;

/// <summary>
/// The history review an agent reads before changing code. For now: the latest results rows, kept techniques with
/// their figures and discards with their reasons. A richer review (clusters of improving commits, approaches that
/// failed 3+ times) replaces <see cref="Review"/> when it lands; the prompt only needs its text.
/// </summary>
public static class PromptHistory
{
    public const int RecentRows = 10;

    /// <summary>Markdown lines reviewing the last <see cref="RecentRows"/> experiments, or a note that there are none.</summary>
    public static string Review(IReadOnlyList<ResultRow> rows)
    {
        var recent = Experiments(rows).TakeLast(RecentRows).ToList();
        if (recent.Count == 0)
        {
            return "No experiments yet: this is the first one.";
        }

        var text = new StringBuilder();
        var kept = recent.Where(r => r.Status == ExperimentStatus.Keep).ToList();
        text.AppendLine(CultureInfo.InvariantCulture, $"The last {recent.Count} experiments: {kept.Count} kept, {recent.Count - kept.Count} not.");
        text.AppendLine();
        text.AppendLine("Kept (techniques that worked):");
        AppendRows(text, kept, r => Figures(r));
        text.AppendLine();
        text.AppendLine("Discarded or crashed (do not repeat these without a new idea):");
        AppendRows(text, recent.Where(r => r.Status != ExperimentStatus.Keep).ToList(), r => r.Reason);
        return text.ToString().TrimEnd();
    }

    /// <summary>The reasons of the latest discards and crashes, newest last.</summary>
    public static IReadOnlyList<string> RecentDiscardReasons(IReadOnlyList<ResultRow> rows, int count = 5) =>
        Experiments(rows).Where(r => r.Status is ExperimentStatus.Discard or ExperimentStatus.Crash)
            .TakeLast(count)
            .Select(r => $"experiment {r.Experiment.ToString(CultureInfo.InvariantCulture)} ({Or(r.Summary, r.Target)}): {r.Reason}")
            .ToList();

    static IEnumerable<ResultRow> Experiments(IReadOnlyList<ResultRow> rows) =>
        rows.Where(r => r.IsExperiment);

    static void AppendRows(StringBuilder text, List<ResultRow> rows, Func<ResultRow, string> detail)
    {
        if (rows.Count == 0)
        {
            text.AppendLine("- none");
            return;
        }

        foreach (var r in rows)
        {
            var strategy = r.Strategy.Length > 0 ? $" [{r.Strategy}]" : "";
            text.AppendLine(CultureInfo.InvariantCulture, $"- experiment {r.Experiment}: {Or(r.Summary, r.Target)}{strategy} on {Or(r.Target, "?")} — {detail(r)}");
        }
    }

    static string Figures(ResultRow r)
    {
        if (r.DeltaPct is not { } delta)
        {
            return "kept";
        }

        var interval = r.CiLowPct is { } low && r.CiHighPct is { } high
            ? $", CI {Statistics.Figures.WithSign(low)}…{Statistics.Figures.WithSign(high)}%"
            : "";
        return $"{r.Metric} {Statistics.Figures.WithSign(delta)}%{interval}";
    }

    static string Or(string value, string fallback) => string.IsNullOrWhiteSpace(value) ? fallback : value;
}
