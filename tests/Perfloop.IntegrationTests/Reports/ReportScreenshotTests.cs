using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Perfloop.IntegrationTests.Fixtures;
using Perfloop.Journal;
using Perfloop.Processes;
using Perfloop.Reports;

namespace Perfloop.IntegrationTests.Reports;

/// <summary>
/// Renders the HTML report in a real headless Chromium at 1200 px and checks what a reader sees: the layout the
/// browser computed (text boxes that overlap or leave their chart, duplicate or missing axis labels, unmeasured
/// experiments drawn as values, clipped table cells, empty badges, raw numbers) and the screenshot's pixels (the
/// chart is drawn, its markers carry the status colours). .ci/run installs Debian's chromium so this never
/// silently skips.
/// </summary>
public sealed partial class ReportScreenshotTests : IDisposable
{
    readonly string directory = Directory.CreateTempSubdirectory("perfloop-report-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public async Task Html_report_renders_the_metric_chart_with_status_markers_in_chromium()
    {
        var results = SampleSession.WriteTo(directory);
        await AssertChartDrawnAsync(directory, results,
            [ReportStyle.KeepColor, ReportStyle.DiscardColor, ReportStyle.CrashColor, ReportStyle.EscalateColor, ReportStyle.BaselineColor]);
    }

    [Fact]
    public void The_example_in_the_docs_is_the_sample_session()
    {
        var example = Path.Combine(SourceTree.Root, "docs", "report-example.tsv");
        if (Environment.GetEnvironmentVariable("PERFLOOP_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(example, SampleSession.Text());
        }

        Assert.True(File.ReadAllText(example) == SampleSession.Text(),
            $"{example} is stale: run this test with PERFLOOP_UPDATE_DOCS=1 to rewrite it, then regenerate docs/report.png as docs/report.md says");
        Assert.Equal(ResultsTable.Header, File.ReadLines(example).First()[..ResultsTable.Header.Length]);
    }

    /// <summary>Renders the report of <paramref name="results"/> in Chromium and checks its layout, the chart's pixels and marker colours.</summary>
    internal static async Task AssertChartDrawnAsync(string directory, string results, IReadOnlyList<string> markerColours)
    {
        var html = Path.Combine(directory, "report.html");
        var cli = PerfloopProcess.Run(directory, "report", "--results", results, "--html", html, "--title", "Perfloop session <script>alert(1)</script>");
        Assert.True(cli.ExitCode == 0, cli.Stderr);
        Assert.DoesNotContain("<script>", File.ReadAllText(html));

        var rows = ResultsTable.Read(results);
        var layout = await LayoutAsync(html, directory);
        AssertLayout(layout, rows);

        var png = await ScreenshotAsync(html, Path.Combine(directory, "report.png"));
        var image = PngImage.Decode(png);
        Assert.Equal(1200, image.Width);

        // The plot area where the browser says it is: mostly its background colour in the screenshot.
        var metric = layout.Chart("metric-chart");
        var plot = metric.Rect("metric-plot");
        var background = Hex(ReportStyle.MetricChartBackground);
        var (x0, y0, width, height) = ((int)plot.X + 1, (int)plot.Y + 1, (int)plot.W - 2, (int)plot.H - 2);
        Assert.True(width > 800 && height > 200 && y0 + height < image.Height, $"the metric chart's plot area is too small or off the screenshot: {plot}");
        var regions = new List<(int X, int Y, int W, int H)> { (x0, y0, width, height) };
        if (metric.Rects.TryGetValue("metric-unmeasured", out var band))
        {
            regions.Add(((int)band.X + 1, (int)band.Y + 1, (int)band.W - 2, (int)band.H - 2));
        }

        var onBackground = 0;
        var colours = markerColours.ToDictionary(c => c, _ => 0);
        foreach (var (rx, ry, rw, rh) in regions)
        {
            for (var y = ry; y < ry + rh; y++)
            {
                for (var x = rx; x < rx + rw; x++)
                {
                    var pixel = image.Pixel(x, y);
                    if (Near(pixel, background, 2))
                    {
                        onBackground++;
                    }

                    foreach (var colour in colours.Keys)
                    {
                        if (Near(pixel, Hex(colour), 8))
                        {
                            colours[colour]++;
                        }
                    }
                }
            }
        }

        var area = width * height;
        Assert.True(onBackground > area / 2, $"the screenshot does not show the plot where the layout puts it: {onBackground} background pixels of {area}");
        // Grid lines alone are about 1% of the area; markers, error bars, the level line and event lines add more.
        Assert.True(area - onBackground > area / 50, $"the chart area is nearly blank: {area - onBackground} drawn pixels of {area}");
        foreach (var (colour, count) in colours)
        {
            // A marker is ~150 pixels; the escalation line adds more of its colour.
            Assert.True(count >= 60, $"markers of colour {colour} missing from the chart: {count} pixels");
        }
    }

    /// <summary>
    /// Every defect a reader of the report found, checked on the layout Chromium computed; all problems are reported
    /// at once, so a regression shows everything it broke.
    /// </summary>
    static void AssertLayout(Layout layout, IReadOnlyList<ResultRow> rows)
    {
        var problems = new List<string>();
        void Check(bool ok, string problem)
        {
            if (!ok)
            {
                problems.Add(problem);
            }
        }

        // The experiments tile counts experiments: not the baseline, escalations or policy events.
        var experiments = rows.Count(r => r.IsExperiment).ToString(CultureInfo.InvariantCulture);
        Check(layout.Stats.GetValueOrDefault("experiments") == experiments, $"the experiments tile shows {layout.Stats.GetValueOrDefault("experiments")}, not {experiments}");

        foreach (var chart in layout.Charts)
        {
            foreach (var text in chart.Texts)
            {
                Check(chart.Box.Contains(text.Box), $"{chart.Id}: '{text.Text}' is cut off at the chart's edge: {text.Box} outside {chart.Box}");
            }

            var texts = chart.Texts.Where(t => t.Box.W > 0 && t.Box.H > 0).ToList();
            for (var i = 0; i < texts.Count; i++)
            {
                for (var j = i + 1; j < texts.Count; j++)
                {
                    Check(!texts[i].Box.Overlaps(texts[j].Box), $"{chart.Id}: '{texts[i].Text}' {texts[i].Box} overlaps '{texts[j].Text}' {texts[j].Box}");
                }
            }
        }

        // The x axes: each measured experiment's number once, under the plot, on both charts over experiments.
        var measured = rows.Where(r => r.Status is ExperimentStatus.Baseline or ExperimentStatus.Keep or ExperimentStatus.Discard or ExperimentStatus.Crash).ToList();
        var numbers = measured.Select(r => r.Experiment.ToString(CultureInfo.InvariantCulture)).Distinct().ToList();
        foreach (var (id, plot) in new[] { ("metric-chart", "metric-plot"), ("speedup-chart", "speedup-plot") })
        {
            var chart = layout.Chart(id);
            var ticks = chart.Texts.Where(t => t.Classes.Contains("x-tick")).ToList();
            Check(ticks.Select(t => t.Text).SequenceEqual(numbers), $"{id}: x tick labels [{string.Join(", ", ticks.Select(t => t.Text))}], expected [{string.Join(", ", numbers)}]");
            Check(chart.Rects.TryGetValue(plot, out var area) && ticks.All(t => t.Box.Y >= area.Bottom), $"{id}: x tick labels not under the plot <rect id=\"{plot}\">");
        }

        // Experiments that were never measured are not drawn as values: they sit in their own band, with a legend entry.
        var metric = layout.Chart("metric-chart");
        var plotArea = metric.Rect("metric-plot");
        var unmeasured = measured.Count(r => r.Status != ExperimentStatus.Baseline && r.Candidate is null);
        var hollow = metric.Markers.Where(m => m.Classes.Contains("unmeasured")).ToList();
        Check(hollow.Count == unmeasured, $"{hollow.Count} markers are marked unmeasured, {unmeasured} experiments were not measured");
        Check(metric.Markers.Count == measured.Count, $"{metric.Markers.Count} markers for {measured.Count} measured or attempted experiments");
        if (unmeasured > 0)
        {
            Check(metric.Legend.Contains("not measured"), $"no 'not measured' legend entry: [{string.Join(", ", metric.Legend)}]");
            Check(metric.Rects.TryGetValue("metric-unmeasured", out var band) && band.Y >= plotArea.Bottom && hollow.All(m => band.Contains(m.Box)),
                "unmeasured experiments are not in a not-measured band under the plot <rect id=\"metric-unmeasured\">");
        }

        foreach (var marker in metric.Markers.Where(m => !m.Classes.Contains("unmeasured")))
        {
            Check(plotArea.Contains(marker.Box), $"a measured marker {marker.Box} is outside the plot {plotArea}");
        }

        // Badges say what they are, on a colour of their own.
        foreach (var badge in layout.Badges)
        {
            Check(!string.IsNullOrWhiteSpace(badge.Text) && badge.Background is not ("rgba(0, 0, 0, 0)" or "transparent") && badge.Background != badge.Color,
                $"badge '{badge.Text}' is invisible: {badge.Color} on {badge.Background}");
        }

        // The table fits the page: no column pushed out of view, no cell's text cut.
        Check(layout.Table.ScrollWidth <= layout.Table.ClientWidth + 1, $"the table is {layout.Table.ScrollWidth} px wide in a {layout.Table.ClientWidth} px page: its last columns are cut off");
        Check(layout.Table.Overflowing.Count == 0, $"cells whose text is cut: {string.Join(" | ", layout.Table.Overflowing)}");

        // Numbers are rounded to what the measurement carries, wherever they come from (extra columns included).
        var raw = layout.Table.Cells.Where(c => RawNumber().IsMatch(c)).ToList();
        Check(raw.Count == 0, $"cells with raw numbers: {string.Join(" | ", raw)}");

        Assert.True(problems.Count == 0, $"{problems.Count} problems in the report as Chromium lays it out:\n" + string.Join("\n", problems));
    }

    [GeneratedRegex(@"\d\.\d{4,}")]
    private static partial Regex RawNumber();

    /// <summary>
    /// The geometry Chromium computes for the page, read by a small script added to a copy of the report (the report
    /// itself forbids scripts) and returned through <c>--dump-dom</c>.
    /// </summary>
    static async Task<Layout> LayoutAsync(string html, string directory)
    {
        var probe = Path.Combine(directory, "layout-probe.html");
        var page = File.ReadAllText(html);
        page = CspMeta().Replace(page, "");
        await File.WriteAllTextAsync(probe, page.Replace("</body>", $"<script>{LayoutScript}</script>\n</body>", StringComparison.Ordinal));
        var result = await RunChromiumAsync(probe, "--dump-dom");
        var dom = result.StdoutText;
        var start = dom.IndexOf("<pre id=\"perfloop-layout\">", StringComparison.Ordinal);
        Assert.True(start >= 0, $"the layout probe did not run in chromium: {result.StderrText}");
        start = dom.IndexOf('>', start) + 1;
        var json = System.Net.WebUtility.HtmlDecode(dom[start..dom.IndexOf("</pre>", start, StringComparison.Ordinal)]);
        return JsonSerializer.Deserialize<Layout>(json, LayoutJson)!;
    }

    static readonly JsonSerializerOptions LayoutJson = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    [GeneratedRegex("<meta http-equiv=\"Content-Security-Policy\"[^>]*>")]
    private static partial Regex CspMeta();

    const string LayoutScript = """
        (() => {
          const box = e => { const r = e.getBoundingClientRect(); return { x: r.left, y: r.top, w: r.width, h: r.height }; };
          const classes = e => (e.getAttribute('class') || '').split(' ').filter(c => c);
          const text = e => [...e.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('');
          const charts = [...document.querySelectorAll('svg[id]')].map(svg => ({
            id: svg.id, box: box(svg),
            texts: [...svg.querySelectorAll('text')].map(t => ({ text: text(t), classes: classes(t), box: box(t) })),
            rects: Object.fromEntries([...svg.querySelectorAll('rect[id]')].map(r => [r.id, box(r)])),
            markers: [...svg.querySelectorAll('.marker')].map(m => ({ classes: classes(m), box: box(m) })),
            legend: [...svg.querySelectorAll('.legend text')].map(t => t.textContent),
          }));
          const stats = Object.fromEntries([...document.querySelectorAll('.stat')].map(s => [s.querySelector('.label').textContent, s.querySelector('.value').textContent]));
          const badges = [...document.querySelectorAll('.badge')].map(b => { const s = getComputedStyle(b); return { text: b.textContent, background: s.backgroundColor, color: s.color }; });
          const scroll = document.querySelector('.scroll');
          const table = {
            clientWidth: scroll.clientWidth, scrollWidth: scroll.scrollWidth,
            overflowing: [...scroll.querySelectorAll('td, th')].filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.textContent),
            cells: [...scroll.querySelectorAll('td')].map(c => c.textContent),
          };
          const out = document.createElement('pre');
          out.id = 'perfloop-layout';
          out.textContent = JSON.stringify({ charts, stats, badges, table });
          document.body.appendChild(out);
        })();
        """;

    static async Task<byte[]> ScreenshotAsync(string html, string png)
    {
        var result = await RunChromiumAsync(html, $"--screenshot={png}");
        Assert.True(File.Exists(png), $"chromium wrote no screenshot: {result.StderrText}");
        return await File.ReadAllBytesAsync(png);
    }

    static async Task<ProcessResult> RunChromiumAsync(string html, string output)
    {
        var chromium = FindOnPath("chromium") ?? FindOnPath("chromium-browser");
        if (chromium is null)
        {
            Assert.Fail("chromium is not installed: this test renders the HTML report in a real headless Chromium. .ci/run installs it; install it locally the same way (apt-get install --no-install-recommends chromium).");
        }

        var profile = Directory.CreateTempSubdirectory("perfloop-chromium-").FullName;
        try
        {
            var spec = new CommandSpec(chromium!,
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--hide-scrollbars", $"--user-data-dir={profile}", output, "--window-size=1200,1600",
                new Uri(html).AbsoluteUri,
            ], Path.GetDirectoryName(html)!)
            { Timeout = TimeSpan.FromSeconds(90), MemoryCapBytes = 16 << 20 };
            var result = await new ProcessRunner().RunAsync(spec);
            Assert.True(result.Succeeded, $"chromium failed (exit {result.ExitCode}, timed out: {result.TimedOut}): {result.StderrText}");
            return result;
        }
        finally
        {
            Directory.Delete(profile, recursive: true);
        }
    }

    static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name))
            .FirstOrDefault(File.Exists);

    static (byte R, byte G, byte B) Hex(string colour) =>
        (Convert.ToByte(colour[1..3], 16), Convert.ToByte(colour[3..5], 16), Convert.ToByte(colour[5..7], 16));

    static bool Near((byte R, byte G, byte B) a, (byte R, byte G, byte B) b, int tolerance) =>
        Math.Abs(a.R - b.R) <= tolerance && Math.Abs(a.G - b.G) <= tolerance && Math.Abs(a.B - b.B) <= tolerance;

    public sealed record Box(double X, double Y, double W, double H)
    {
        public double Bottom => Y + H;

        public bool Contains(Box inner) =>
            inner.X >= X - 1 && inner.Y >= Y - 1 && inner.X + inner.W <= X + W + 1 && inner.Bottom <= Bottom + 1;

        /// <summary>More than a pixel of ink-box overlap both ways (touching boxes of neighbouring labels are fine).</summary>
        public bool Overlaps(Box other) =>
            Math.Min(X + W, other.X + other.W) - Math.Max(X, other.X) > 1 && Math.Min(Bottom, other.Bottom) - Math.Max(Y, other.Y) > 1;

        public override string ToString() => FormattableString.Invariant($"[{X:0},{Y:0} {W:0}×{H:0}]");
    }

    public sealed record ChartText(string Text, IReadOnlyList<string> Classes, Box Box);

    public sealed record Marker(IReadOnlyList<string> Classes, Box Box);

    public sealed record Chart(string Id, Box Box, IReadOnlyList<ChartText> Texts, IReadOnlyDictionary<string, Box> Rects, IReadOnlyList<Marker> Markers, IReadOnlyList<string> Legend)
    {
        public Box Rect(string id) => Rects.TryGetValue(id, out var box) ? box : throw new Xunit.Sdk.XunitException($"{Id}: no <rect id=\"{id}\">");
    }

    public sealed record Badge(string Text, string Background, string Color);

    public sealed record TableLayout(double ClientWidth, double ScrollWidth, IReadOnlyList<string> Overflowing, IReadOnlyList<string> Cells);

    public sealed record Layout(IReadOnlyList<Chart> Charts, IReadOnlyDictionary<string, string> Stats, IReadOnlyList<Badge> Badges, TableLayout Table)
    {
        public Chart Chart(string id) => Charts.SingleOrDefault(c => c.Id == id) ?? throw new Xunit.Sdk.XunitException($"no chart <svg id=\"{id}\"> in the report");
    }
}
