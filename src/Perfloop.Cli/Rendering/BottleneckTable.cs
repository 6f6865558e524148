using System.Globalization;
using Perfloop.Ranking;

namespace Perfloop.Cli.Rendering;

/// <summary>The ranking as a plain-text table: the targets (or every function with --include-external), then the runtime signals.</summary>
static class BottleneckTable
{
    public static void Write(TextWriter output, BottleneckRanking ranking, int top, bool includeExternal)
    {
        var rows = (includeExternal ? ranking.Functions : ranking.Targets).Take(top).ToList();
        var profile = ranking.Profile;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"profile: {profile.Path} ({profile.Format.ToString().ToLowerInvariant()}, {profile.TotalInWords()}){(ranking.HeadSha is { } head ? $" at {head[..Math.Min(12, head.Length)]}" : "")}"));
        foreach (var note in profile.Notes)
        {
            output.WriteLine($"note: {note}");
        }

        if (rows.Count == 0)
        {
            output.WriteLine(includeExternal
                ? "no functions in the profile"
                : "no function of the repository's own code in the profile (everything is runtime, library or kernel code); see --include-external");
            return;
        }

        var header = new[] { "#", "own%", "self%", "total%", "max speedup", "category", "function", "file" };
        var table = rows.Select(r => new[]
        {
            r.Rank.ToString(CultureInfo.InvariantCulture),
            Percent(r.OwnPercent),
            Percent(r.SelfPercent),
            Percent(r.TotalPercent),
            r.AmdahlBound is { } bound ? string.Create(CultureInfo.InvariantCulture, $"≤{bound:0.00}x") : "unbounded",
            r.Category,
            r.Optimizable ? r.Function : $"{r.Function} [not optimizable: {r.NotOptimizableReason}]",
            r.File ?? r.Module ?? "",
        }).ToList();
        var widths = header.Select((h, i) => Math.Max(h.Length, table.Max(row => row[i].Length))).ToArray();
        output.WriteLine(Line(header, widths));
        foreach (var row in table)
        {
            output.WriteLine(Line(row, widths));
        }

        output.WriteLine("own% = self time plus the outside code it calls; max speedup = Amdahl bound if its total time fell to zero (an upper bound, not a forecast)");

        if (ranking.Runtime is { } runtime)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"gc: {runtime.GcCount} collections, pause {runtime.GcPauseMs:0.#} ms = {runtime.GcPauseShare:P1} of {runtime.DurationMs:0} ms; sampled allocations {runtime.AllocationTickBytes / 1048576.0:0.#} MB"));
            if (runtime.TopAllocatingTypes.Count > 0)
            {
                output.WriteLine("top allocating types: " + string.Join(", ", runtime.TopAllocatingTypes.Take(3).Select(Site)));
            }

            if (runtime.TopAllocatingMethods.Count > 0)
            {
                output.WriteLine("top allocating methods: " + string.Join(", ", runtime.TopAllocatingMethods.Take(3).Select(Site)));
            }
        }
    }

    static string Site(AllocationSite site) => string.Create(CultureInfo.InvariantCulture, $"{site.Name} {site.Percent:0.#}%");

    static string Percent(double value) => value.ToString("0.0", CultureInfo.InvariantCulture);

    static string Line(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => i is 0 or 1 or 2 or 3 or 4 ? c.PadLeft(widths[i]) : c.PadRight(widths[i]))).TrimEnd();
}
