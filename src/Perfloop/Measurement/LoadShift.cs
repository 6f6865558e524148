using System.Globalization;

namespace Perfloop.Measurement;

/// <summary>A sharp change of the machine's load during one verdict, in words for the result line and the row.</summary>
public sealed record LoadShift(string Evidence, double First, double Last, string Text);

/// <summary>
/// Says when the machine's load changed sharply during a verdict: the median CPU pressure (PSI) of the first third of the
/// pairs against that of the last third differs by <see cref="PressureShiftPct"/> points or more (without PSI: the load
/// average by <see cref="LoadAverageShift"/>). It only informs: interleaving already gives a load change to both sides
/// of every pair, and no pair is ever dropped or re-run because of load — a rule that did so after seeing the pairs
/// could pick its data.
/// </summary>
public static class LoadShiftDetector
{
    /// <summary>Percentage points of CPU pressure between the first and last thirds that count as a sharp change.</summary>
    public const double PressureShiftPct = 30;

    /// <summary>Change of the 1-minute load average between the first and last thirds that counts as sharp, where PSI is missing.</summary>
    public const double LoadAverageShift = 2;

    /// <summary>Fewer pairs than this cannot show a trend (a deterministic verdict of one block says nothing).</summary>
    public const int MinPairs = 6;

    public static LoadShift? Detect(IReadOnlyList<RunSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var pairs = samples.Where(s => s.Pair >= 0).GroupBy(s => s.Pair).OrderBy(g => g.Key).ToList();
        if (Shift(pairs, s => s.Load.CpuPressurePct) is { } pressure)
        {
            return Math.Abs(pressure.Last - pressure.First) < PressureShiftPct
                ? null
                : new LoadShift("cpu_pressure", pressure.First, pressure.Last, string.Create(CultureInfo.InvariantCulture,
                    $"CPU pressure {(pressure.Last > pressure.First ? "rose" : "fell")} from {pressure.First:0}% to {pressure.Last:0}% during the verdict (first vs last third of the pairs)"));
        }

        if (Shift(pairs, s => s.Load.LoadAverage) is { } load)
        {
            return Math.Abs(load.Last - load.First) < LoadAverageShift
                ? null
                : new LoadShift("load1", load.First, load.Last, string.Create(CultureInfo.InvariantCulture,
                    $"load average {(load.Last > load.First ? "rose" : "fell")} from {load.First:0.0} to {load.Last:0.0} during the verdict (first vs last third of the pairs)"));
        }

        return null;
    }

    /// <summary>Median of the pair means over the first and the last third; null when fewer than <see cref="MinPairs"/> pairs have the value on both runs.</summary>
    static (double First, double Last)? Shift(List<IGrouping<int, RunSample>> pairs, Func<RunSample, double?> value)
    {
        var means = pairs
            .Select(g => g.Select(value).ToList())
            .Where(v => v.Count >= 2 && v.All(x => x is not null))
            .Select(v => v.Average(x => x!.Value))
            .ToList();
        if (means.Count < MinPairs)
        {
            return null;
        }

        var third = means.Count / 3;
        return (Statistics.Median.Of(means.Take(third))!.Value, Statistics.Median.Of(means.Skip(means.Count - third))!.Value);
    }
}
