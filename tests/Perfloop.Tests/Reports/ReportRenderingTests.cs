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
        Assert.Equal(6, markers.Count);
        Assert.Equal(2, markers.Count(m => (string?)m.Attribute("fill") == ReportStyle.KeepColor));
        Assert.Single(markers, m => (string?)m.Attribute("fill") == ReportStyle.DiscardColor);
        Assert.Single(markers, m => (string?)m.Attribute("fill") == ReportStyle.CrashColor);
        Assert.Single(markers, m => (string?)m.Attribute("fill") == ReportStyle.EscalateColor);
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
        Assert.Contains("| e2e_speedup |", table[0].Replace("e2e\\_speedup", "e2e_speedup", StringComparison.Ordinal));
        Assert.DoesNotContain("<script>", md);
        Assert.Contains("&lt;script&gt;", md);
        Assert.Contains("a \\| b", md);
        Assert.Contains("| 1 | keep |", md);
        Assert.Contains("2.50×", md);
        Assert.Contains("**milestone** after experiment 5: v1", md);
    }
}
