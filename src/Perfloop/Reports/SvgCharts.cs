using System.Globalization;
using System.Net;
using System.Text;
using Perfloop.Journal;
using static Perfloop.Reports.ReportStyle;

namespace Perfloop.Reports;

/// <summary>
/// The report's charts as inline SVG. Generated here rather than with a charting library: the three charts
/// are simple, the output must be self-contained (no script, no CDN) and every label must go through HTML
/// escaping, which is easiest to guarantee when one place writes all of it.
/// </summary>
public static class SvgCharts
{
    const double Width = 1100;

    /// <summary>
    /// The primary metric of every experiment, coloured by status, with interval error bars, the kept level and the
    /// events. Experiments that never reached the benchmark (oracle mismatch, fidelity, crash…) sit in a band of
    /// their own under the plot: drawn at a value they never had, they would read as a huge speed-up.
    /// </summary>
    public static string MetricChart(SessionReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        const double top = 44, plotHeight = 290, bandGap = 8, bandHeight = 30, right = 20;
        var points = report.Points;
        var values = points.SelectMany(p => new[] { p.Value, p.High, p.KeptLevel }).OfType<double>().Where(double.IsFinite).ToList();
        var yMax = values.Count == 0 ? 1 : NiceCeiling(values.Max() * 1.08);
        var ticks = Ticks(0, yMax).ToList();
        var hasBand = points.Any(p => p.Value is null);

        // The y-axis title is rotated at x = 16 (about 8…24 px); the tick labels, right-aligned, must start clear of it.
        var labels = ticks.Select(t => Tick(t, report.Unit)).Append(hasBand ? NotMeasured : "");
        var left = Math.Max(64, 36 + labels.Max(TextWidth) + 8);
        var plotWidth = Width - left - right;
        var bandTop = top + plotHeight + bandGap;
        var axisTop = hasBand ? bandTop + bandHeight : top + plotHeight;
        var height = axisTop + 46;

        var svg = Open(height, "metric-chart", $"{report.Metric} over experiments");
        Legend(svg, left, 18, hasBand);
        svg.Append(Invariant($"<rect id=\"metric-plot\" x=\"{C(left)}\" y=\"{C(top)}\" width=\"{C(plotWidth)}\" height=\"{C(plotHeight)}\" fill=\"{MetricChartBackground}\"/>\n"));
        if (points.Count == 0)
        {
            svg.Append(Invariant($"<text x=\"{C(left + (plotWidth / 2))}\" y=\"{C(top + (plotHeight / 2))}\" text-anchor=\"middle\" fill=\"#475569\">no measurements yet</text>\n"));
            return Close(svg);
        }

        double X(int i) => left + ((i + 0.5) * plotWidth / points.Count);
        double Y(double v) => top + plotHeight - (Math.Clamp(v, 0, yMax) / yMax * plotHeight);
        var bandMiddle = bandTop + (bandHeight / 2);

        foreach (var tick in ticks)
        {
            svg.Append(Invariant($"<line x1=\"{C(left)}\" x2=\"{C(left + plotWidth)}\" y1=\"{C(Y(tick))}\" y2=\"{C(Y(tick))}\" stroke=\"#d5dde8\"/>"));
            svg.Append(Invariant($"<text x=\"{C(left - 8)}\" y=\"{C(Y(tick) + 4)}\" text-anchor=\"end\" class=\"tick y-tick\">{E(Tick(tick, report.Unit))}</text>\n"));
        }

        if (hasBand)
        {
            svg.Append(Invariant($"<rect id=\"metric-unmeasured\" x=\"{C(left)}\" y=\"{C(bandTop)}\" width=\"{C(plotWidth)}\" height=\"{C(bandHeight)}\" fill=\"{UnmeasuredBandBackground}\" stroke=\"#e2e8f0\"/>"));
            svg.Append(Invariant($"<text x=\"{C(left - 8)}\" y=\"{C(bandMiddle + 4)}\" text-anchor=\"end\" class=\"tick band-label\">{NotMeasured}</text>\n"));
        }

        var titleY = top + (plotHeight / 2);
        svg.Append(Invariant($"<text x=\"16\" y=\"{C(titleY)}\" transform=\"rotate(-90 16 {C(titleY)})\" text-anchor=\"middle\" class=\"axis y-title\">{E(report.Metric)}{(report.Direction == Statistics.MetricDirection.LowerIsBetter ? " (lower is better)" : " (higher is better)")}</text>\n"));
        Events(svg, report, X, top, plotHeight);

        // The level of the code as kept: steps down at every KEEP, re-measured at each new baseline.
        var level = new StringBuilder();
        for (var i = 0; i < points.Count; i++)
        {
            if (points[i].KeptLevel is { } k)
            {
                var x0 = left + (i * plotWidth / points.Count);
                var x1 = left + ((i + 1) * plotWidth / points.Count);
                level.Append(Invariant($"{(level.Length == 0 ? "M" : "L")}{C(x0)},{C(Y(k))} L{C(x1)},{C(Y(k))} "));
            }
        }

        if (level.Length > 0)
        {
            svg.Append(Invariant($"<path d=\"{level}\" fill=\"none\" stroke=\"{BaselineColor}\" stroke-width=\"2\" stroke-opacity=\"0.55\"/>\n"));
        }

        for (var i = 0; i < points.Count; i++)
        {
            if (points[i] is { Low: { } low, High: { } high })
            {
                var x = X(i);
                svg.Append(Invariant($"<g class=\"error-bar\" stroke=\"#334155\" stroke-width=\"1.5\"><line x1=\"{C(x)}\" x2=\"{C(x)}\" y1=\"{C(Y(low))}\" y2=\"{C(Y(high))}\"/><line x1=\"{C(x - 5)}\" x2=\"{C(x + 5)}\" y1=\"{C(Y(low))}\" y2=\"{C(Y(low))}\"/><line x1=\"{C(x - 5)}\" x2=\"{C(x + 5)}\" y1=\"{C(Y(high))}\" y2=\"{C(Y(high))}\"/></g>\n"));
            }
        }

        for (var i = 0; i < points.Count; i++)
        {
            var point = points[i];
            var row = point.Row;
            var x = X(i);
            var tip = $"<title>{E($"#{row.Experiment} {row.StatusText}: {row.Summary} — {(point.Value is null ? "not measured: " + row.Reason : $"{Measure(point.Value, report.Unit)} {Change(row)}")}")}</title>";
            var color = ColorOf(row.Status);
            var word = ResultRow.StatusWord(row.Status);
            if (point.Value is not { } v)
            {
                // Hollow: the colour still tells how it ended, the band says it has no value.
                var y = bandMiddle;
                svg.Append(row.Status == ExperimentStatus.Crash
                    ? Invariant($"<path class=\"marker {word} unmeasured\" d=\"M{C(x)},{C(y - 8)} L{C(x + 8)},{C(y)} L{C(x)},{C(y + 8)} L{C(x - 8)},{C(y)} Z\" fill=\"#ffffff\" stroke=\"{color}\" stroke-width=\"3\">{tip}</path>\n")
                    : Invariant($"<circle class=\"marker {word} unmeasured\" cx=\"{C(x)}\" cy=\"{C(y)}\" r=\"6\" fill=\"#ffffff\" stroke=\"{color}\" stroke-width=\"3\">{tip}</circle>\n"));
                continue;
            }

            var at = Y(v);
            svg.Append(row.Status switch
            {
                ExperimentStatus.Baseline => Invariant($"<rect class=\"marker baseline\" x=\"{C(x - 7)}\" y=\"{C(at - 7)}\" width=\"14\" height=\"14\" fill=\"{color}\">{tip}</rect>\n"),
                ExperimentStatus.Keep => Invariant($"<circle class=\"marker keep\" cx=\"{C(x)}\" cy=\"{C(at)}\" r=\"7\" fill=\"{color}\">{tip}</circle>\n"),
                ExperimentStatus.Crash => Invariant($"<path class=\"marker crash\" d=\"M{C(x)},{C(at - 9)} L{C(x + 9)},{C(at)} L{C(x)},{C(at + 9)} L{C(x - 9)},{C(at)} Z\" fill=\"{color}\">{tip}</path>\n"),
                _ => Invariant($"<circle class=\"marker {word}\" cx=\"{C(x)}\" cy=\"{C(at)}\" r=\"6\" fill=\"{color}\">{tip}</circle>\n"),
            });
        }

        XTicks(svg, points, X, axisTop + 18);
        svg.Append(Invariant($"<text x=\"{C(left + (plotWidth / 2))}\" y=\"{C(height - 6)}\" text-anchor=\"middle\" class=\"axis\">experiment</text>\n"));
        return Close(svg);
    }

    /// <summary>The product of the kept changes' factors after each experiment, as a step line.</summary>
    public static string SpeedupChart(SessionReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        const double height = 250, left = 78, right = 60, top = 20, bottom = 60;
        var plotWidth = Width - left - right;
        var plotHeight = height - top - bottom;
        var points = report.Points;
        var svg = Open(height, "speedup-chart", "cumulative speedup");
        svg.Append(Invariant($"<rect id=\"speedup-plot\" x=\"{C(left)}\" y=\"{C(top)}\" width=\"{C(plotWidth)}\" height=\"{C(plotHeight)}\" fill=\"#f8fafc\"/>\n"));
        if (points.Count == 0)
        {
            return Close(svg);
        }

        var low = Math.Min(1, points.Min(p => p.CumulativeSpeedup));
        var high = Math.Max(low + 0.1, NiceCeiling(points.Max(p => p.CumulativeSpeedup) * 1.05));
        double Y(double v) => top + plotHeight - ((v - low) / (high - low) * plotHeight);
        foreach (var tick in Ticks(low, high))
        {
            svg.Append(Invariant($"<line x1=\"{C(left)}\" x2=\"{C(left + plotWidth)}\" y1=\"{C(Y(tick))}\" y2=\"{C(Y(tick))}\" stroke=\"#e2e8f0\"/><text x=\"{C(left - 8)}\" y=\"{C(Y(tick) + 4)}\" text-anchor=\"end\" class=\"tick y-tick\">{E(Tick(tick, "×"))}</text>\n"));
        }

        var line = new StringBuilder();
        for (var i = 0; i < points.Count; i++)
        {
            var x0 = left + (i * plotWidth / points.Count);
            var x1 = left + ((i + 1) * plotWidth / points.Count);
            var y = Y(points[i].CumulativeSpeedup);
            line.Append(Invariant($"{(i == 0 ? "M" : "L")}{C(x0)},{C(y)} L{C(x1)},{C(y)} "));
        }

        var baseY = C(Y(low));
        svg.Append(Invariant($"<path d=\"{line}L{C(left + plotWidth)},{baseY} L{C(left)},{baseY} Z\" fill=\"{KeepColor}\" fill-opacity=\"0.15\"/>\n"));
        svg.Append(Invariant($"<path d=\"{line}\" fill=\"none\" stroke=\"{KeepColor}\" stroke-width=\"2.5\"/>\n"));
        svg.Append(Invariant($"<text x=\"{C(left + plotWidth + 6)}\" y=\"{C(Y(points[^1].CumulativeSpeedup) + 4)}\" class=\"value\">{E(Factor(points[^1].CumulativeSpeedup))}</text>\n"));
        XTicks(svg, points, i => left + ((i + 0.5) * plotWidth / points.Count), top + plotHeight + 18);
        svg.Append(Invariant($"<text x=\"{C(left + (plotWidth / 2))}\" y=\"{C(height - 8)}\" text-anchor=\"middle\" class=\"axis\">experiment (cumulative speedup of the kept changes)</text>\n"));
        return Close(svg);
    }

    /// <summary>
    /// The experiment numbers under the points, each once (a number the axis already shows is not repeated), thinned
    /// to about 40 labels on a long session.
    /// </summary>
    static void XTicks(StringBuilder svg, IReadOnlyList<ExperimentPoint> points, Func<int, double> x, double y)
    {
        var every = Math.Max(1, (int)Math.Ceiling(points.Count / 40.0));
        var shown = new HashSet<int>();
        for (var i = 0; i < points.Count; i += every)
        {
            if (shown.Add(points[i].Row.Experiment))
            {
                svg.Append(Invariant($"<text x=\"{C(x(i))}\" y=\"{C(y)}\" text-anchor=\"middle\" class=\"tick x-tick\">{points[i].Row.Experiment}</text>"));
            }
        }

        svg.Append('\n');
    }

    /// <summary>Each kept change's gain in percent with its interval as an error bar.</summary>
    public static string ContributionChart(SessionReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var contributions = report.Contributions;
        const double left = 330, right = 90, top = 14, barHeight = 30;
        var height = top + (Math.Max(1, contributions.Count) * barHeight) + 34;
        var plotWidth = Width - left - right;
        var svg = Open(height, "contribution-chart", "gain of each kept change");
        if (contributions.Count == 0)
        {
            svg.Append(Invariant($"<text x=\"{C(Width / 2)}\" y=\"{C(top + 20)}\" text-anchor=\"middle\" fill=\"#475569\">no kept changes yet</text>\n"));
            return Close(svg);
        }

        static double Gain(double factor) => (factor - 1) * 100;
        var extremes = contributions.SelectMany(c => new[] { Gain(c.Factor), c.FactorLow is { } l ? Gain(l) : 0, c.FactorHigh is { } h ? Gain(h) : 0 }).ToList();
        var min = Math.Min(0, extremes.Min());
        var max = NiceCeiling(Math.Max(1, extremes.Max()) * 1.05);
        double X(double gain) => left + ((Math.Clamp(gain, min, max) - min) / (max - min) * plotWidth);
        var bottomY = top + (contributions.Count * barHeight);
        foreach (var tick in Ticks(min, max))
        {
            svg.Append(Invariant($"<line x1=\"{C(X(tick))}\" x2=\"{C(X(tick))}\" y1=\"{C(top)}\" y2=\"{C(bottomY)}\" stroke=\"#e2e8f0\"/><text x=\"{C(X(tick))}\" y=\"{C(bottomY + 16)}\" text-anchor=\"middle\" class=\"tick\">{E(tick.ToString("+0;-0;0", CultureInfo.InvariantCulture))}%</text>\n"));
        }

        for (var i = 0; i < contributions.Count; i++)
        {
            var c = contributions[i];
            var y = top + (i * barHeight);
            var gain = Gain(c.Factor);
            var label = Truncate($"#{c.Row.Experiment} {c.Row.Summary}", 42);
            svg.Append(Invariant($"<text x=\"{C(left - 8)}\" y=\"{C(y + 19)}\" text-anchor=\"end\" class=\"label\">{E(label)}<title>{E(c.Row.Summary)}</title></text>"));
            var x0 = Math.Min(X(0), X(gain));
            svg.Append(Invariant($"<rect class=\"bar\" x=\"{C(x0)}\" y=\"{C(y + 6)}\" width=\"{C(Math.Abs(X(gain) - X(0)))}\" height=\"{C(barHeight - 12)}\" fill=\"{KeepColor}\"/>"));
            if (c.FactorLow is { } lowFactor && c.FactorHigh is { } highFactor)
            {
                var mid = y + (barHeight / 2);
                svg.Append(Invariant($"<g stroke=\"#334155\" stroke-width=\"1.5\"><line x1=\"{C(X(Gain(lowFactor)))}\" x2=\"{C(X(Gain(highFactor)))}\" y1=\"{C(mid)}\" y2=\"{C(mid)}\"/><line x1=\"{C(X(Gain(lowFactor)))}\" x2=\"{C(X(Gain(lowFactor)))}\" y1=\"{C(mid - 5)}\" y2=\"{C(mid + 5)}\"/><line x1=\"{C(X(Gain(highFactor)))}\" x2=\"{C(X(Gain(highFactor)))}\" y1=\"{C(mid - 5)}\" y2=\"{C(mid + 5)}\"/></g>"));
            }

            svg.Append(Invariant($"<text x=\"{C(Math.Max(X(gain), c.FactorHigh is { } hf ? X(Gain(hf)) : 0) + 8)}\" y=\"{C(y + 19)}\" class=\"value\">{E(Factor(c.Factor))} ({c.ShareOfGain * 100:0}%)</text>\n"));
        }

        return Close(svg);
    }

    static void Legend(StringBuilder svg, double x, double y, bool notMeasured)
    {
        List<(string Label, string Shape)> items =
        [
            ("baseline", $"<rect x=\"-6\" y=\"-6\" width=\"12\" height=\"12\" fill=\"{BaselineColor}\"/>"),
            ("keep", $"<circle r=\"7\" fill=\"{KeepColor}\"/>"),
            ("discard", $"<circle r=\"6\" fill=\"{DiscardColor}\"/>"),
            ("crash", $"<path d=\"M0,-8 L8,0 L0,8 L-8,0 Z\" fill=\"{CrashColor}\"/>"),
            ("escalation", $"<line x1=\"0\" x2=\"0\" y1=\"-8\" y2=\"8\" stroke=\"{EscalateColor}\" stroke-width=\"2\" stroke-dasharray=\"3 2\"/>"),
            ("milestone", $"<line x1=\"0\" x2=\"0\" y1=\"-8\" y2=\"8\" stroke=\"{MilestoneColor}\" stroke-width=\"2\" stroke-dasharray=\"3 2\"/>"),
            ("kept level", $"<line x1=\"-9\" x2=\"9\" y1=\"0\" y2=\"0\" stroke=\"{BaselineColor}\" stroke-opacity=\"0.55\" stroke-width=\"2\"/>"),
            ("interval", "<g stroke=\"#334155\" stroke-width=\"1.5\"><line x1=\"0\" x2=\"0\" y1=\"-8\" y2=\"8\"/><line x1=\"-4\" x2=\"4\" y1=\"-8\" y2=\"-8\"/><line x1=\"-4\" x2=\"4\" y1=\"8\" y2=\"8\"/></g>"),
        ];
        if (notMeasured)
        {
            items.Add((NotMeasured, "<circle r=\"5.5\" fill=\"#ffffff\" stroke=\"#64748b\" stroke-width=\"2.5\"/>"));
        }

        svg.Append("<g class=\"legend\">");
        foreach (var (label, shape) in items)
        {
            svg.Append(Invariant($"<g class=\"legend-item\" transform=\"translate({C(x)},{C(y)})\">{shape}<text x=\"14\" y=\"4\" class=\"tick\">{E(label)}</text></g>"));
            x += 30 + TextWidth(label);
        }

        svg.Append("</g>\n");
    }

    static void Events(StringBuilder svg, SessionReport report, Func<int, double> x, double top, double plotHeight)
    {
        for (var n = 0; n < report.Events.Count; n++)
        {
            var e = report.Events[n];
            if (e.Index < 0)
            {
                continue;
            }

            // Alternate label heights so events on neighbouring experiments do not overwrite each other.
            var labelY = top + 14 + (n % 2 * 16);
            var color = e.Kind == SessionEventKind.Escalation ? EscalateColor : MilestoneColor;
            var label = e.Kind == SessionEventKind.Escalation ? "escalate: " + e.Label : "milestone " + e.Label;
            var at = x(e.Index);
            var text = Truncate(label, 40);
            // Near the right edge the label goes to the line's left, inside the chart.
            var (textX, anchor) = at + 4 + TextWidth(text) > Width - 4 ? (at - 4, "end") : (at + 4, "start");
            svg.Append(Invariant($"<g class=\"event {(e.Kind == SessionEventKind.Escalation ? "escalation" : "milestone")}\"><line x1=\"{C(at)}\" x2=\"{C(at)}\" y1=\"{C(top)}\" y2=\"{C(top + plotHeight)}\" stroke=\"{color}\" stroke-width=\"2\" stroke-dasharray=\"5 4\"/><text x=\"{C(textX)}\" y=\"{C(labelY)}\" text-anchor=\"{anchor}\" class=\"event-label\" fill=\"{color}\">{E(text)}</text><title>{E(label)}</title></g>\n"));
        }
    }

    const string NotMeasured = "not measured";

    /// <summary>A generous estimate of a 12 px label's width (the layout test in Chromium checks nothing overlaps).</summary>
    static double TextWidth(string text) => text.Length * 7.5;

    static StringBuilder Open(double height, string id, string label) =>
        new StringBuilder().Append(Invariant($"<svg id=\"{id}\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {C(Width)} {C(height)}\" width=\"{C(Width)}\" height=\"{C(height)}\" role=\"img\" aria-label=\"{E(label)}\">\n"));

    static string Close(StringBuilder svg) => svg.Append("</svg>\n").ToString();

    /// <summary>About five round tick values between <paramref name="low"/> and <paramref name="high"/>.</summary>
    static IEnumerable<double> Ticks(double low, double high)
    {
        var step = NiceStep((high - low) / 5);
        for (var t = Math.Ceiling(low / step) * step; t <= high + (step * 1e-9); t += step)
        {
            yield return Math.Round(t, 10);
        }
    }

    static double NiceStep(double rough)
    {
        if (!(rough > 0) || !double.IsFinite(rough))
        {
            return 1;
        }

        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        var fraction = rough / magnitude;
        return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10) * magnitude;
    }

    static double NiceCeiling(double value)
    {
        if (!(value > 0) || !double.IsFinite(value))
        {
            return 1;
        }

        var step = NiceStep(value / 5);
        return Math.Ceiling(value / step) * step;
    }

    static string Truncate(string text, int length)
    {
        var flat = text.ReplaceLineEndings(" ");
        return flat.Length <= length ? flat : flat[..(length - 1)] + "…";
    }

    static string C(double value) => Coordinate(value);

    static string E(string text) => WebUtility.HtmlEncode(text);

    static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
