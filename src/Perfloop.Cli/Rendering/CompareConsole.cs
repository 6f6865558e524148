using System.Globalization;
using System.Text;
using Perfloop.Compare;
using Perfloop.Git;

namespace Perfloop.Cli.Rendering;

/// <summary>A comparison as a console table (markdown and JSON are the engine's: they are files and schemas).</summary>
static class CompareConsole
{
    static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    static readonly string[] Header = ["benchmark", "base", "head", "head/base [interval]", "change", "verdict", "peak RSS", "allocations", "pairs"];

    public static string Render(CompareReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        text.Append(Invariant, $"base {report.Base.Ref} ({CommitId.Abbreviate(report.Base.Commit)}) → head {report.Head.Ref} ({CommitId.Abbreviate(report.Head.Commit)})\n");
        text.Append(Invariant, $"{report.Metric}, {CompareFormatter.DirectionWords(report.Direction)}; same within ±{report.ThresholdPct:0.##}%\n\n");
        var rows = new List<string[]> { Header };
        rows.AddRange(report.Benchmarks.Select(b => new[]
        {
            b.Name,
            CompareFormatter.Value(b.BaseMedian, report.Unit),
            CompareFormatter.Value(b.HeadMedian, report.Unit),
            CompareFormatter.RatioText(b.Estimate),
            CompareFormatter.ChangeText(b.Estimate),
            CompareFormatter.VerdictText(report, b),
            CompareFormatter.PairText(b.PeakRssMb, "MB"),
            CompareFormatter.PairText(b.Allocations, ""),
            b.Pairs.ToString(Invariant),
        }));
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
        {
            text.Append(string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd()).Append('\n');
        }

        text.Append('\n');
        foreach (var b in report.Benchmarks)
        {
            text.Append(Invariant, $"{b.Name}: {b.Command}\n  {(b.Failure is { } f ? "failed: " + f : b.StopReason)}\n");
        }

        text.Append(Invariant, $"{CompareFormatter.Conclusion(report)}\n");
        return text.ToString();
    }
}
