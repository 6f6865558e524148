using Perfloop.Journal;

namespace Perfloop.Policies;

/// <summary>The chosen target and why it was chosen.</summary>
public sealed record TargetPick(RankedTarget Target, string Why)
{
    public string Description => Target.File is { Length: > 0 } file ? $"{Target.Name} ({file})" : Target.Name;
}

/// <summary>
/// Target choice for autonomous runs: the top optimizable ranked function that the history does not say to avoid,
/// preferring one in a focus area when it is among the best few.
/// </summary>
public static class TargetChoice
{
    /// <summary>A focus-area target is preferred over the top one only when it ranks within this many.</summary>
    public const int FocusWindow = 3;

    public static TargetPick? Choose(IReadOnlyList<RankedTarget> ranking, HistoryReview review)
    {
        var eligible = ranking
            .Where(t => t.Optimizable)
            .Where(t => !review.Avoids("category", t.Category))
            .Where(t => !review.Avoids("target", t.Name) && !review.Avoids("target", t.File ?? ""))
            .ToList();
        if (eligible.Count == 0)
        {
            return null;
        }

        var focused = eligible.Take(FocusWindow).FirstOrDefault(t => review.InFocus(t.File, t.Name));
        if (focused is not null && focused != eligible[0])
        {
            return new TargetPick(focused, $"in a focus area of the history, ranked within the top {FocusWindow}");
        }

        var skipped = ranking.TakeWhile(t => t != eligible[0]).Count();
        return new TargetPick(eligible[0], skipped == 0
            ? "top of the ranking"
            : $"top of the ranking after {skipped} not optimizable or avoided");
    }

    /// <summary>The ranked entry a candidate's target names (by function name or file), or null.</summary>
    public static RankedTarget? Match(IReadOnlyList<RankedTarget> ranking, string target) =>
        target.Length == 0 ? null : ranking.FirstOrDefault(t =>
            string.Equals(t.Name, target, StringComparison.Ordinal)
            || (t.File is { Length: > 0 } file && (target == file || target.StartsWith(file + " ", StringComparison.Ordinal)))
            || target.Contains(t.Name, StringComparison.Ordinal));

    /// <summary>Whether rows mention the target as already kept this session (its ranking share is stale).</summary>
    public static bool Improved(IReadOnlyList<ResultRow> sessionRows, RankedTarget target) =>
        sessionRows.Any(r => r.Status == ExperimentStatus.Keep && Match([target], r.Target) is not null);
}
