using System.Xml.Linq;
using Perfloop.Journal;
using Perfloop.Reports;

namespace Perfloop.Tests.Reports;

public class ReportRenderingTests
{
    const string Hostile = "<script>alert('x')</script> & \"quoted\" | `tick` *bold* [link](http://evil)";

    static ResultRow Row(int n, ExperimentStatus status, double? baseline, double? candidate, double? delta, double? low = null, double? high = null, string summary = "change") => new()
    {
        Experiment = n,
        Timestamp = DateTimeOffset.UnixEpoch,
        Domain = "cpu",
        Metric = "wall_ms",
        Summary = summary,
        Target = "target",
        Status = status,
        Baseline = baseline,
        Candidate = candidate,
        DeltaPct = delta,
        CiLowPct = low,
        CiHighPct = high,
        Reason = "reason " + n,
    };

    static IReadOnlyList<ResultRow> Session() =>
    [
        Row(0, ExperimentStatus.Baseline, 400, 401, 0.2),
        Row(1, ExperimentStatus.Keep, 400, 200, -50, -52, -48),
        Row(2, ExperimentStatus.Discard, 200, 210, 5, 3, 7),
        Row(3, ExperimentStatus.Crash, null, null, null),
        Row(4, ExperimentStatus.Escalate, 200, null, null, summary: "GC share 45%"),
        Row(5, ExperimentStatus.Keep, 200, 160, -20, -25, -15) with { Extra = new Dictionary<string, string> { ["milestone"] = "v1", ["e2e_speedup"] = "2.5" } },
    ];

    [Fact]
    public void Cumulative_speedup_multiplies_the_kept_factors_and_shares_the_gain_in_log_space()
    {
        var report = SessionReport.Build(Session());
        Assert.Equal(2.5, report.CumulativeSpeedup, 6);
        Assert.Equal([1, 5], report.Contributions.Select(c => c.Row.Experiment));
        Assert.Equal(2, report.Contributions[0].Factor, 6);
        Assert.Equal(1 / 0.52, report.Contributions[0].FactorLow!.Value, 6);
        Assert.Equal(1 / 0.48, report.Contributions[0].FactorHigh!.Value, 6);
        Assert.Equal(Math.Log(2) / Math.Log(2.5), report.Contributions[0].ShareOfGain, 6);
        Assert.Equal(160, report.Points[^1].KeptLevel);
        Assert.Equal([SessionEventKind.Escalation, SessionEventKind.Milestone], report.Events.Select(e => e.Kind));
    }

    [Fact]
    public void A_discard_does_not_move_the_kept_level_and_intervals_are_in_the_metric_unit()
    {
        var report = SessionReport.Build(Session());
        var discard = report.Points[2];
        Assert.Equal(200, discard.KeptLevel);
        Assert.Equal(206, discard.Low!.Value, 6);
        Assert.Equal(214, discard.High!.Value, 6);
    }

    [Fact]
    public void Without_milestones_or_keeps_the_report_still_renders()
    {
        var report = SessionReport.Build([Row(0, ExperimentStatus.Baseline, 400, 401, 0.2)]);
        Assert.Empty(report.Events);
        Assert.Equal(1, report.CumulativeSpeedup);
        Assert.Contains("no kept changes yet", HtmlReport.Render(report));
        Assert.Contains("None yet.", MarkdownReport.Render(report));
    }

    [Fact]
    public void Html_escapes_every_text_from_the_results()
    {
        var rows = Session().Select(r => r with { Summary = Hostile, Target = Hostile, Reason = Hostile, Category = Hostile }).ToList();
        rows[5] = rows[5] with { Extra = new Dictionary<string, string> { [Hostile] = Hostile, ["milestone"] = Hostile } };
        var html = HtmlReport.Render(SessionReport.Build(rows, Hostile));
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("'x'", html);
        Assert.DoesNotContain("\"quoted\"", html);
        Assert.Contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;", html);
        Assert.DoesNotContain("href", html);
    }

    [Fact]
    public void Html_is_self_contained_and_its_charts_are_well_formed_svg_with_markers()
    {
        var html = HtmlReport.Render(SessionReport.Build(Session()));
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("<link", html);
        Assert.DoesNotContain("src=", html);
        foreach (var id in new[] { "metric-chart", "speedup-chart", "contribution-chart" })
        {
            var start = html.IndexOf($"<svg id=\"{id}\"", StringComparison.Ordinal);
            Assert.True(start >= 0, id);
            var svg = XElement.Parse(html[start..(html.IndexOf("</svg>", start, StringComparison.Ordinal) + 6)]);
            Assert.NotEmpty(svg.Elements());
        }

        var metric = XElement.Parse(html[html.IndexOf("<svg id=\"metric-chart\"", StringComparison.Ordinal)..(html.IndexOf("</svg>", StringComparison.Ordinal) + 6)]);
        var markers = metric.Descendants().Where(e => ((string?)e.Attribute("class") ?? "").StartsWith("marker", StringComparison.Ordinal)).ToList();
        // The escalation is a line at its experiment, not a marker; the crash was never measured: hollow, in the band.
        Assert.Equal(5, markers.Count);
        Assert.Equal(2, markers.Count(m => (string?)m.Attribute("fill") == ReportStyle.KeepColor));
        Assert.Single(markers, m => (string?)m.Attribute("fill") == ReportStyle.DiscardColor);
        Assert.Single(markers, m => (string?)m.Attribute("stroke") == ReportStyle.CrashColor && ((string?)m.Attribute("class"))!.Contains("unmeasured", StringComparison.Ordinal));
        Assert.DoesNotContain(markers, m => (string?)m.Attribute("fill") == ReportStyle.EscalateColor);
        Assert.Equal(3, metric.Descendants().Count(e => (string?)e.Attribute("class") == "error-bar"));
        Assert.Equal(2, metric.Descendants().Count(e => ((string?)e.Attribute("class") ?? "").StartsWith("event", StringComparison.Ordinal) && e.Name.LocalName == "g"));
    }

    [Fact]
    public void Markdown_tables_have_one_line_per_row_and_inert_text()
    {
        var rows = Session().Select(r => r with { Summary = Hostile + "\nsecond line", Reason = "a | b" }).ToList();
        var md = MarkdownReport.Render(SessionReport.Build(rows));
        var table = md[md.IndexOf("### Every experiment", StringComparison.Ordinal)..].Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        Assert.Equal(2 + rows.Count, table.Count);
        var columns = table[0].Count(c => c == '|');
        Assert.All(table, line => Assert.Equal(columns, line.Replace("\\|", "", StringComparison.Ordinal).Count(c => c == '|')));
        Assert.EndsWith("| more |", table[0]);
        Assert.Contains("| milestone v1; e2e\\_speedup 2.50× |", md);
        Assert.DoesNotContain("<script>", md);
        Assert.Contains("&lt;script&gt;", md);
        Assert.Contains("a \\| b", md);
        Assert.Contains("| 1 | keep |", md);
        Assert.Contains("2.50×", md);
        Assert.Contains("**milestone** after experiment 5: v1", md);
    }

    [Fact]
    public void The_experiment_count_leaves_out_the_baseline_escalations_and_policy_events()
    {
        var rows = Session().Append(Row(5, ExperimentStatus.Event, null, null, null) with { Target = "plateau_check" }).ToList();
        var report = SessionReport.Build(rows);
        Assert.Equal(4, report.Experiments);
        Assert.Contains("<div class=\"value\">4</div><div class=\"label\">experiments</div>", HtmlReport.Render(report));
        Assert.StartsWith("## Perfloop session\n\n**4 experiments**", MarkdownReport.Render(report));
    }

    [Fact]
    public void An_escalation_found_at_the_baseline_is_a_line_at_the_baseline_not_a_second_point_numbered_0()
    {
        var report = SessionReport.Build(
        [
            Row(0, ExperimentStatus.Baseline, 400, 401, 0.2),
            Row(0, ExperimentStatus.Escalate, null, null, null, summary: "suggests memory"),
            Row(1, ExperimentStatus.Keep, 400, 200, -50, -52, -48),
        ]);

        Assert.Equal([0, 1], report.Points.Select(p => p.Row.Experiment));
        var escalation = Assert.Single(report.Events);
        Assert.Equal((SessionEventKind.Escalation, 0, 0, "reason 0"), (escalation.Kind, escalation.Index, escalation.Experiment, escalation.Detail));
        var svg = XElement.Parse(SvgCharts.MetricChart(report));
        Assert.Equal(["0", "1"], svg.Descendants().Where(e => ((string?)e.Attribute("class"))?.Contains("x-tick", StringComparison.Ordinal) == true).Select(e => e.Value));
    }

    [Fact]
    public void Unmeasured_experiments_sit_in_a_band_under_the_plot_with_a_legend_entry()
    {
        var measured = XElement.Parse(SvgCharts.MetricChart(SessionReport.Build([Row(0, ExperimentStatus.Baseline, 400, 401, 0.2), Row(1, ExperimentStatus.Keep, 400, 200, -50)])));
        Assert.DoesNotContain(measured.Descendants(), e => (string?)e.Attribute("id") == "metric-unmeasured");
        Assert.DoesNotContain("not measured", measured.Value);

        var svg = XElement.Parse(SvgCharts.MetricChart(SessionReport.Build(Session())));
        var plot = svg.Descendants().Single(e => (string?)e.Attribute("id") == "metric-plot");
        var band = svg.Descendants().Single(e => (string?)e.Attribute("id") == "metric-unmeasured");
        double Attribute(XElement e, string name) => double.Parse((string)e.Attribute(name)!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(Attribute(band, "y") >= Attribute(plot, "y") + Attribute(plot, "height"));
        Assert.Contains(svg.Descendants().Where(e => (string?)e.Attribute("class") == "legend-item"), item => item.Value == "not measured");
    }

    [Theory]
    [InlineData("e2e_speedup", "1.8757", "1.88×")]
    [InlineData("e2e_base", "529.0134", "529.0")]
    [InlineData("alloc_mb", "12.34567", "12.35")]
    [InlineData("cache_hit_pct", "97.12345", "+97.1%")]
    [InlineData("methodology", "123456789012", "123456789012")]
    [InlineData("e2e_verdict", "faster", "faster")]
    public void Extra_columns_are_rounded_to_what_a_measurement_carries(string column, string value, string shown) =>
        Assert.Equal(shown, ReportStyle.ExtraValue(column, value));

    [Fact]
    public void E2e_columns_read_as_one_comparison()
    {
        var row = Row(1, ExperimentStatus.Keep, 400, 200, -50) with
        {
            Extra = new Dictionary<string, string> { ["e2e_base"] = "412.6318", ["e2e_head"] = "217.5329", ["e2e_speedup"] = "1.8969", ["e2e_verdict"] = "faster", ["milestone"] = "v1" },
        };
        Assert.Equal([("e2e", "412.6ms → 217.5ms, 1.90×, faster"), ("milestone", "v1")], ReportStyle.ExtraFields(row, "ms"));
    }

    [Fact]
    public void Policy_event_rows_have_a_visible_badge()
    {
        var html = HtmlReport.Render(SessionReport.Build([.. Session(), Row(5, ExperimentStatus.Event, null, null, null) with { Target = "plateau_check" }]));
        Assert.Contains("<span class=\"badge event\">event</span>", html);
        Assert.Matches(@"\.badge\.event \{ background: #[0-9a-f]{6}; \}", html);
    }
}
