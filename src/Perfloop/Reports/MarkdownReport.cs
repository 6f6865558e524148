using System.Globalization;
using System.Text;
using Perfloop.Journal;
using static Perfloop.Reports.MarkdownText;
using static Perfloop.Reports.ReportStyle;

namespace Perfloop.Reports;

/// <summary>The session report as GitHub-flavoured markdown, for a terminal or a pull request.</summary>
public static class MarkdownReport
{
    public static string Render(SessionReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var md = new StringBuilder();
        md.Append(CultureInfo.InvariantCulture, $"## {Escape(report.Title)}\n\n");
        var first = report.Points.Select(p => p.KeptLevel).OfType<double>().FirstOrDefault(double.NaN);
        var last = report.Points.Select(p => p.KeptLevel).OfType<double>().LastOrDefault(double.NaN);
        md.Append(CultureInfo.InvariantCulture,
            $"**{report.Experiments} experiments**: {report.Count(ExperimentStatus.Keep)} kept, {report.Count(ExperimentStatus.Discard)} discarded, {report.Count(ExperimentStatus.Crash)} crashed, {report.Count(ExperimentStatus.Escalate)} escalations · cumulative speedup **{Factor(report.CumulativeSpeedup)}**");
        if (double.IsFinite(first) && double.IsFinite(last))
        {
            md.Append(CultureInfo.InvariantCulture, $" · {Code(report.Metric)} {Measure(first, report.Unit)} → {Measure(last, report.Unit)}");
        }

        md.Append("\n\n### Kept changes\n\n");
        if (report.Contributions.Count == 0)
        {
            md.Append("None yet.\n");
        }
        else
        {
            md.Append("| # | change | Δ [interval] | factor | share of the gain | commit |\n|---:|---|---|---:|---:|---|\n");
            foreach (var c in report.Contributions)
            {
                var interval = c.FactorLow is { } l && c.FactorHigh is { } h ? $" [{Factor(l)}, {Factor(h)}]" : "";
                md.Append(CultureInfo.InvariantCulture,
                    $"| {c.Row.Experiment} | {Escape(c.Row.Summary)} | {Change(c.Row)} | {Factor(c.Factor)}{interval} | {c.ShareOfGain * 100:0}% | {Code(ShortCommit(c.Row.Commit))} |\n");
            }
        }

        if (report.Events.Count > 0)
        {
            md.Append("\n### Escalations and milestones\n\n");
            foreach (var e in report.Events)
            {
                var (word, when) = e.Kind == SessionEventKind.Escalation ? ("escalation", "at") : ("milestone", "after");
                var detail = e.Detail.Length > 0 && e.Detail != e.Label ? " — " + e.Detail : "";
                md.Append(CultureInfo.InvariantCulture, $"- **{word}** {when} experiment {e.Experiment}: {Escape(e.Label + detail)}\n");
            }
        }

        md.Append("\n### Every experiment\n\n");
        var more = report.ExtraColumns.Count > 0;
        md.Append(CultureInfo.InvariantCulture, $"| # | status | target | change | {Escape(report.Metric)} base → candidate | Δ [interval] | pairs | reason |{(more ? " more |" : "")}");
        md.Append("\n|---:|---|---|---|---|---|---:|---|").Append(more ? "---|" : "").Append('\n');
        foreach (var row in report.Rows)
        {
            md.Append(CultureInfo.InvariantCulture,
                $"| {row.Experiment} | {Escape(row.StatusText)} | {Escape(row.Target)} | {Escape(row.Summary)} | {Measure(row.Baseline, report.Unit)} → {Measure(row.Candidate, report.Unit)} | {Change(row)} | {row.Pairs?.ToString(CultureInfo.InvariantCulture) ?? "—"} | {Escape(row.Reason)} |");
            if (more)
            {
                md.Append(CultureInfo.InvariantCulture, $" {string.Join("; ", ExtraFields(row, report.Unit).Select(f => Escape($"{f.Name} {f.Value}")))} |");
            }

            md.Append('\n');
        }

        return md.ToString();
    }
}
