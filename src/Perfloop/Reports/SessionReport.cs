using Perfloop.Domains;
using Perfloop.Journal;
using Perfloop.Statistics;

namespace Perfloop.Reports;

/// <summary>One experiment as the charts draw it: its metric value and interval in the metric's own unit.</summary>
/// <param name="Row">The results.tsv row.</param>
/// <param name="Value">The candidate's median (the baseline's for a baseline row); null when nothing was measured.</param>
/// <param name="Low">Lower end of the interval in the metric's unit, from the baseline and the CI percentages.</param>
/// <param name="High">Upper end of the interval in the metric's unit.</param>
/// <param name="KeptLevel">The metric of the code as kept after this row (the line the keeps step down).</param>
/// <param name="CumulativeSpeedup">Product of every kept change's factor up to this row (1 = no gain yet).</param>
public sealed record ExperimentPoint(
    ResultRow Row,
    double? Value,
    double? Low,
    double? High,
    double? KeptLevel,
    double CumulativeSpeedup);

/// <summary>What one kept change gave: its factor (2 = twice as good) with the interval, and its share of the total gain.</summary>
public sealed record Contribution(ResultRow Row, double Factor, double? FactorLow, double? FactorHigh, double ShareOfGain);

public enum SessionEventKind
{
    Escalation,
    Milestone,
}

/// <summary>An escalation row or a milestone, drawn as a vertical line at its experiment.</summary>
/// <param name="Kind">Escalation or milestone.</param>
/// <param name="Index">The point the line is drawn at; -1 when nothing was measured before it.</param>
/// <param name="Experiment">The experiment it follows (an escalation found at session start carries the baseline's number).</param>
/// <param name="Label">Short text for the chart.</param>
/// <param name="Detail">The row's reason, for the list under the charts.</param>
public sealed record SessionEvent(SessionEventKind Kind, int Index, int Experiment, string Label, string Detail = "");

/// <summary>Everything the HTML and markdown reports show, computed once from the rows of <c>results.tsv</c>.</summary>
public sealed record SessionReport
{
    /// <summary>Extra results.tsv columns that mark a milestone; any non-empty value (v1, v2, …) is its label.</summary>
    public static readonly IReadOnlyList<string> MilestoneColumns = ["milestone", "milestone_branch"];

    public required string Title { get; init; }

    public required IReadOnlyList<ResultRow> Rows { get; init; }

    public required string Metric { get; init; }

    public required string Unit { get; init; }

    public required MetricDirection Direction { get; init; }

    public required IReadOnlyList<ExperimentPoint> Points { get; init; }

    public required IReadOnlyList<Contribution> Contributions { get; init; }

    public required IReadOnlyList<SessionEvent> Events { get; init; }

    /// <summary>Extra columns found in the rows (e2e figures, milestones…), in first-seen order.</summary>
    public required IReadOnlyList<string> ExtraColumns { get; init; }

    public double CumulativeSpeedup => Points.Count == 0 ? 1 : Points[^1].CumulativeSpeedup;

    public int Count(ExperimentStatus status) => Rows.Count(r => r.Status == status);

    /// <summary>Keeps, discards and crashes: not the baseline, escalation or policy-event rows.</summary>
    public int Experiments => Rows.Count(r => r.IsExperiment);

    public static SessionReport Build(IReadOnlyList<ResultRow> rows, string title = "Perfloop session")
    {
        ArgumentNullException.ThrowIfNull(rows);
        var domainName = rows.Select(r => r.Domain).FirstOrDefault(d => d.Length > 0) ?? "cpu";
        var domain = Domains.Domains.Find(domainName) ?? Domains.Domains.Cpu;
        var metric = rows.Select(r => r.Metric).FirstOrDefault(m => m.Length > 0) ?? domain.PrimaryMetric;
        var direction = domain.Goal == MetricGoal.LowerIsBetter ? MetricDirection.LowerIsBetter : MetricDirection.HigherIsBetter;
        var unit = metric == domain.PrimaryMetric ? domain.MetricUnit : metric.EndsWith("_ms", StringComparison.Ordinal) ? "ms" : "";

        var points = new List<ExperimentPoint>();
        var contributions = new List<(ResultRow Row, double Factor, double? Low, double? High)>();
        var events = new List<SessionEvent>();
        double? kept = null;
        var cumulative = 1.0;
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            if (row.Status == ExperimentStatus.Escalate)
            {
                // Not a measurement: a line at the point it was found at (the baseline it was measured on, usually),
                // not a point of its own that would repeat that experiment's number on the axis.
                var at = points.FindLastIndex(p => p.Row.Experiment == row.Experiment);
                events.Add(new SessionEvent(SessionEventKind.Escalation, at >= 0 ? at : points.Count - 1, row.Experiment, FirstNonEmpty(row.Summary, row.Target, row.Reason, "escalation"), row.Reason));
                continue;
            }

            if (row.Status == ExperimentStatus.Event)
            {
                // Policy events are not measurements; a milestone marks the point of the experiment it follows.
                if (row.Target == "milestone" && points.Count > 0)
                {
                    // The summary is the milestone's branch (perfloop/milestone-v2): its version says enough on a chart.
                    var label = FirstNonEmpty(row.Summary, "milestone");
                    label = label.StartsWith(Policies.Milestones.BranchPrefix, StringComparison.Ordinal) ? "v" + label[Policies.Milestones.BranchPrefix.Length..] : label;
                    events.Add(new SessionEvent(SessionEventKind.Milestone, points.Count - 1, row.Experiment, label, row.Reason));
                }

                continue;
            }

            var value = row.Status == ExperimentStatus.Baseline ? row.Baseline ?? row.Candidate : row.Candidate;
            double? low = null, high = null;
            if (row.Status != ExperimentStatus.Baseline && row.Baseline is { } b && row.CiLowPct is { } l && row.CiHighPct is { } h && double.IsFinite(l) && double.IsFinite(h))
            {
                low = b * (1 + (l / 100));
                high = b * (1 + (h / 100));
            }

            if (row.Status == ExperimentStatus.Baseline)
            {
                kept = row.Baseline ?? kept;
            }
            else if (row.Status == ExperimentStatus.Keep && Factor(row, direction) is { } factor)
            {
                cumulative *= factor;
                kept = row.Candidate ?? kept;
                var (factorLow, factorHigh) = FactorInterval(row, direction);
                contributions.Add((row, factor, factorLow, factorHigh));
            }

            points.Add(new ExperimentPoint(row, value, low, high, kept, cumulative));

            foreach (var column in MilestoneColumns)
            {
                if (row.Extra.TryGetValue(column, out var label) && label.Trim().Length > 0)
                {
                    events.Add(new SessionEvent(SessionEventKind.Milestone, points.Count - 1, row.Experiment, label.Trim()));
                    break;
                }
            }
        }

        var totalLog = contributions.Sum(c => Math.Log(c.Factor));
        return new SessionReport
        {
            Title = title,
            Rows = rows,
            Metric = metric,
            Unit = unit,
            Direction = direction,
            Points = points,
            Contributions = contributions
                .Select(c => new Contribution(c.Row, c.Factor, c.Low, c.High, totalLog == 0 ? 0 : Math.Log(c.Factor) / totalLog))
                .ToList(),
            Events = events,
            ExtraColumns = rows.SelectMany(r => r.Extra.Keys).Distinct(StringComparer.Ordinal).ToList(),
        };
    }

    /// <summary>A kept change's factor: 1/(1+Δ) for a lower-is-better metric (−50% → 2×), 1+Δ otherwise.</summary>
    static double? Factor(ResultRow row, MetricDirection direction)
    {
        var ratio = row.DeltaPct is { } d ? 1 + (d / 100)
            : row.Baseline is { } b && row.Candidate is { } c && b > 0 ? c / b
            : (double?)null;
        if (ratio is not { } r || !(r > 0) || !double.IsFinite(r))
        {
            return null;
        }

        return direction == MetricDirection.LowerIsBetter ? 1 / r : r;
    }

    /// <summary>The factor's interval; for a lower-is-better metric the CI's high end gives the factor's low end.</summary>
    static (double? Low, double? High) FactorInterval(ResultRow row, MetricDirection direction)
    {
        static double? Ratio(double? pct) => pct is { } p && double.IsFinite(p) && p > -100 ? 1 + (p / 100) : null;

        var low = Ratio(row.CiLowPct);
        var high = Ratio(row.CiHighPct);
        return direction == MetricDirection.LowerIsBetter ? (1 / high, 1 / low) : (low, high);
    }

    static string FirstNonEmpty(params string[] values) => values.First(v => v.Trim().Length > 0);
}
