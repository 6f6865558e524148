using Perfloop.IntegrationTests.Fixtures;
using Perfloop.Processes;
using Perfloop.Reports;

namespace Perfloop.IntegrationTests.Reports;

/// <summary>
/// Renders the HTML report in a real headless Chromium and checks the pixels: the metric chart is drawn and
/// its markers carry the status colours. .ci/run installs Debian's chromium so this never silently skips.
/// </summary>
public sealed class ReportScreenshotTests : IDisposable
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

    /// <summary>Renders the report of <paramref name="results"/> in Chromium and checks the chart's pixels and marker colours.</summary>
    internal static async Task AssertChartDrawnAsync(string directory, string results, IReadOnlyList<string> markerColours)
    {
        var html = Path.Combine(directory, "report.html");
        var cli = PerfloopProcess.Run(directory, "report", "--results", results, "--html", html, "--title", "Perfloop session <script>alert(1)</script>");
        Assert.True(cli.ExitCode == 0, cli.Stderr);
        Assert.DoesNotContain("<script>", File.ReadAllText(html));

        var png = await ScreenshotAsync(html, Path.Combine(directory, "report.png"));
        var image = PngImage.Decode(png);
        Assert.Equal(1200, image.Width);

        var background = Hex(ReportStyle.MetricChartBackground);
        var box = PlotArea(image, background);
        Assert.True(box is { Width: > 800, Height: > 200 and < 400 }, $"the metric chart's plot area was not found in the screenshot (box: {box})");
        var (x0, y0, width, height) = box!.Value;

        var drawn = 0;
        var colours = markerColours.ToDictionary(c => c, _ => 0);
        for (var y = y0; y < y0 + height; y++)
        {
            for (var x = x0; x < x0 + width; x++)
            {
                var pixel = image.Pixel(x, y);
                if (!Near(pixel, background, 2))
                {
                    drawn++;
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

        // Grid lines alone are about 1% of the area; markers, error bars, the level line and event lines add more.
        Assert.True(drawn > width * height / 50, $"the chart area is nearly blank: {drawn} drawn pixels of {width * height}");
        foreach (var (colour, count) in colours)
        {
            // A marker is ~150 pixels; the escalation line adds more of its colour.
            Assert.True(count >= 60, $"markers of colour {colour} missing from the chart: {count} pixels");
        }
    }

    static async Task<byte[]> ScreenshotAsync(string html, string png)
    {
        var chromium = FindOnPath("chromium") ?? FindOnPath("chromium-browser");
        if (chromium is null)
        {
            Assert.Fail("chromium is not installed: this test renders the HTML report in a real headless Chromium. .ci/run installs it (apt-get install -y chromium); install it locally the same way.");
        }

        var profile = Directory.CreateTempSubdirectory("perfloop-chromium-").FullName;
        try
        {
            var spec = new CommandSpec(chromium!,
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", $"--user-data-dir={profile}", $"--screenshot={png}", "--window-size=1200,1600",
                new Uri(html).AbsoluteUri,
            ], Path.GetDirectoryName(html)!)
            { Timeout = TimeSpan.FromSeconds(90) };
            var result = await new ProcessRunner().RunAsync(spec);
            Assert.True(result.Succeeded && File.Exists(png), $"chromium failed (exit {result.ExitCode}, timed out: {result.TimedOut}): {result.StderrText}");
            return await File.ReadAllBytesAsync(png);
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

    /// <summary>
    /// The plot area: the first block of rows that are mostly the chart's background colour, and the
    /// columns of that colour inside it (stray antialiased pixels elsewhere on the page do not count).
    /// </summary>
    static (int X, int Y, int Width, int Height)? PlotArea(PngImage image, (byte R, byte G, byte B) background)
    {
        int Count(int y) => Enumerable.Range(0, image.Width).Count(x => Near(image.Pixel(x, y), background, 2));
        var first = Enumerable.Range(0, image.Height).FirstOrDefault(y => Count(y) > image.Width / 3, -1);
        if (first < 0)
        {
            return null;
        }

        // Grid lines cross the plot: a few rows without background do not end it.
        var last = first;
        for (var y = first + 1; y < image.Height && y - last <= 4; y++)
        {
            if (Count(y) > image.Width / 10)
            {
                last = y;
            }
        }

        var columns = Enumerable.Range(0, image.Width).Where(x => Near(image.Pixel(x, first), background, 2)).ToList();
        return (columns.Min(), first, columns.Max() - columns.Min() + 1, last - first + 1);
    }
}
