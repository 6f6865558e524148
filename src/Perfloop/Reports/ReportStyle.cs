using System.Globalization;
using Perfloop.Journal;

namespace Perfloop.Reports;

/// <summary>Colours and number formats shared by the HTML and markdown reports (the screenshot test looks for these colours).</summary>
public static class ReportStyle
{
    public const string KeepColor = "#1a9850";
    public const string DiscardColor = "#d73027";
    public const string CrashColor = "#7b3294";
    public const string EscalateColor = "#f59e0b";
    public const string BaselineColor = "#2166ac";
    public const string MilestoneColor = "#0891b2";

    /// <summary>Background of the metric chart's plot area: a colour used nowhere else, so a screenshot can find the chart.</summary>
    public const string MetricChartBackground = "#eef3fa";

    public static string ColorOf(ExperimentStatus status) => status switch
    {
        ExperimentStatus.Keep => KeepColor,
        ExperimentStatus.Discard => DiscardColor,
        ExperimentStatus.Crash => CrashColor,
        ExperimentStatus.Escalate => EscalateColor,
        _ => BaselineColor,
    };

    /// <summary>Invariant number for SVG coordinates.</summary>
    public static string Coordinate(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    public static string Measure(double? value, string unit) => value switch
    {
        null => "—",
        { } v when Math.Abs(v) >= 10_000 => v.ToString("#,0", CultureInfo.InvariantCulture) + unit,
        { } v when Math.Abs(v) >= 100 => v.ToString("0.0", CultureInfo.InvariantCulture) + unit,
        { } v => v.ToString("0.###", CultureInfo.InvariantCulture) + unit,
    };

    public static string Percent(double? value) =>
        value is { } v && double.IsFinite(v) ? v.ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture) + "%" : "—";

    public static string Factor(double value) => value.ToString("0.00", CultureInfo.InvariantCulture) + "×";

    /// <summary>"−33.5% [−35.1, −31.8]" or "—".</summary>
    public static string Change(ResultRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (row.DeltaPct is null)
        {
            return "—";
        }

        var interval = row.CiLowPct is { } l && row.CiHighPct is { } h && double.IsFinite(l) && double.IsFinite(h)
            ? string.Create(CultureInfo.InvariantCulture, $" [{l:+0.0;-0.0;0.0}, {h:+0.0;-0.0;0.0}]")
            : "";
        return Percent(row.DeltaPct) + interval;
    }

    public static string ShortCommit(string commit) => Git.CommitId.Abbreviate(commit);
}
