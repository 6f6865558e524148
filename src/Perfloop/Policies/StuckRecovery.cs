using System.Globalization;
using Perfloop.Domains;
using Perfloop.Journal;

namespace Perfloop.Policies;

/// <summary>
/// The spec's stuck-state protocol as concrete actions built from the session's results: for an agent implementer
/// they become prompt instructions; for a patch queue they are reported.
/// </summary>
public static class StuckRecovery
{
    public static IReadOnlyList<string> Actions(IReadOnlyList<ResultRow> sessionRows, Domain domain)
    {
        var experiments = sessionRows.Where(r => r.IsExperiment).ToList();
        var keeps = experiments.Where(r => r.Status == ExperimentStatus.Keep).ToList();
        var failed = experiments.Where(r => r.Status != ExperimentStatus.Keep).ToList();
        var targets = experiments.Select(r => r.Target).Where(t => t.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        var actions = new List<string>
        {
            targets.Count > 0
                ? $"re-read the in-scope code from scratch ({string.Join(", ", targets.Take(5))})"
                : "re-read the in-scope code from scratch",
            string.Create(CultureInfo.InvariantCulture,
                $"re-read results.tsv: {keeps.Count} kept{(keeps.Count > 0 ? $" ({string.Join(", ", keeps.TakeLast(3).Select(Figure))})" : "")}, {failed.Count} not kept, most common reason: {MostCommonReason(failed)}"),
            $"re-read the goal: the {domain.Name} domain, metric {domain.PrimaryMetric}",
        };

        if (keeps.Count >= 2)
        {
            actions.Add($"combine {Math.Min(3, keeps.Count)} kept changes that may compound: {string.Join(" + ", keeps.TakeLast(3).Select(k => k.Summary))}");
        }

        actions.Add($"try the opposite of what failed: {Opposite(failed, domain)}");
        return actions;
    }

    /// <summary>The strategies tried this session with their outcome counts, for the stop report.</summary>
    public static string Tried(IReadOnlyList<ResultRow> sessionRows)
    {
        var groups = sessionRows.Where(r => r.IsExperiment)
            .GroupBy(r => r.Strategy.Length > 0 ? r.Strategy : "(no strategy)", StringComparer.OrdinalIgnoreCase)
            .Select(g => $"{g.Key} {g.Count(r => r.Status == ExperimentStatus.Keep)} kept/{g.Count()}");
        return string.Join(", ", groups);
    }

    static string Figure(ResultRow keep) =>
        keep.DeltaPct is { } d ? string.Create(CultureInfo.InvariantCulture, $"{keep.Summary} {d:+0.#;−0.#}%") : keep.Summary;

    static string MostCommonReason(List<ResultRow> failed) =>
        failed.Count == 0 ? "none" : failed.GroupBy(r => FirstWords(r.Reason)).OrderByDescending(g => g.Count()).First() is var g ? $"{g.Key} ({g.Count()}x)" : "none";

    static string FirstWords(string reason)
    {
        var cut = reason.IndexOfAny([':', ';', '(']);
        return (cut > 0 ? reason[..cut] : reason).Trim();
    }

    /// <summary>
    /// Fine-grained strategies failing → a coarser one, and the reverse: the rotation order runs from coarse
    /// (algorithm) to fine (knobs), so the opposite is the far end from where the failures sit.
    /// </summary>
    static string Opposite(List<ResultRow> failed, Domain domain)
    {
        var order = domain.RotationOrder.ToList();
        var positions = failed.Select(r => order.FindIndex(s => string.Equals(s, r.Strategy, StringComparison.OrdinalIgnoreCase))).Where(p => p >= 0).ToList();
        var tried = failed.Select(r => r.Strategy).Where(s => s.Length > 0).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (positions.Count == 0)
        {
            return $"if local changes kept failing, try a cross-function refactor or a different algorithm ({order[0]})";
        }

        var fine = positions.Average() >= (order.Count - 1) / 2.0;
        var candidates = fine ? order : Enumerable.Reverse(order).ToList();
        var untried = candidates.Where(s => !tried.Contains(s)).Take(2).ToList();
        var suggestion = untried.Count > 0 ? string.Join(" or ", untried) : candidates[0];
        return fine
            ? $"fine-grained changes ({string.Join(", ", tried)}) kept failing — try a coarser architectural change: {suggestion}"
            : $"coarse changes ({string.Join(", ", tried)}) kept failing — try targeted local work: {suggestion}";
    }
}
