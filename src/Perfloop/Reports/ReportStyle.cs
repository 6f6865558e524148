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

    /// <summary>Background of the band under the metric chart where experiments that were never measured sit.</summary>
    public const string UnmeasuredBandBackground = "#fbfbfd";

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

    /// <summary>A measured value with about four significant digits: 12,345ms, 331.2ms, 78.80ms, 0.084ms.</summary>
    public static string Measure(double? value, string unit) => value is { } v ? Number(v) + unit : "—";

    /// <summary>A number with about four significant digits, the precision the measurements carry.</summary>
    public static string Number(double value) => Math.Abs(value) switch
    {
        >= 10_000 => value.ToString("#,0", CultureInfo.InvariantCulture),
        >= 100 => value.ToString("0.0", CultureInfo.InvariantCulture),
        >= 10 => value.ToString("0.00", CultureInfo.InvariantCulture),
        _ => value.ToString("0.###", CultureInfo.InvariantCulture),
    };

    /// <summary>An axis tick: a round value needs no decimals (500ms, 2.5×), so the labels stay short.</summary>
    public static string Tick(double value, string unit) =>
        (Math.Abs(value) >= 10_000 ? value.ToString("#,0", CultureInfo.InvariantCulture) : value.ToString("0.###", CultureInfo.InvariantCulture)) + unit;

    /// <summary>
    /// The value of a results.tsv column the report has no place for (e2e figures, milestones, a later version's
    /// columns): numbers to four significant digits, a speedup as a factor, anything else as written.
    /// </summary>
    public static string ExtraValue(string column, string value)
    {
        ArgumentNullException.ThrowIfNull(column);
        ArgumentNullException.ThrowIfNull(value);
        // Only decimals need rounding; whole numbers and identifiers (a fingerprint of digits only) stay as written.
        if (!value.Contains('.', StringComparison.Ordinal)
            || !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
        {
            return value;
        }

        return column.EndsWith("speedup", StringComparison.Ordinal) ? Factor(number)
            : column.EndsWith("_pct", StringComparison.Ordinal) ? Percent(number)
            : Number(number);
    }

    public static string Percent(double? value) =>
        value is { } v && double.IsFinite(v) ? v.ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture) + "%" : "—";

    public static string Factor(double value) => value.ToString("0.00", CultureInfo.InvariantCulture) + "×";

    /// <summary>
    /// A row's extra columns as (name, formatted value), the four e2e columns as one "e2e" entry
    /// ("412.6ms → 217.5ms, 1.90×, faster"); empty values are left out.
    /// </summary>
    public static IReadOnlyList<(string Name, string Value)> ExtraFields(ResultRow row, string unit)
    {
        ArgumentNullException.ThrowIfNull(row);
        var fields = new List<(string, string)>();
        var extra = row.Extra.Where(e => e.Value.Trim().Length > 0).ToDictionary(e => e.Key, e => e.Value.Trim(), StringComparer.Ordinal);
        if (extra.Remove("e2e_base", out var e2eBase) & extra.Remove("e2e_head", out var e2eHead))
        {
            static double? Parse(string text) =>
                double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) ? value : null;
            var parts = new List<string> { $"{Measure(Parse(e2eBase!), unit)} → {Measure(Parse(e2eHead!), unit)}" };
            if (extra.Remove("e2e_speedup", out var speedup))
            {
                parts.Add(ExtraValue("e2e_speedup", speedup));
            }

            if (extra.Remove("e2e_verdict", out var verdict))
            {
                parts.Add(verdict);
            }

            fields.Add(("e2e", string.Join(", ", parts)));
        }
        else
        {
            // Only one of the pair: shown as it is, not lost.
            foreach (var (name, value) in new[] { ("e2e_base", e2eBase), ("e2e_head", e2eHead) })
            {
                if (value is not null)
                {
                    fields.Add((name, ExtraValue(name, value)));
                }
            }
        }

        fields.AddRange(extra.Select(e => (e.Key, ExtraValue(e.Key, e.Value))));
        return fields;
    }

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
