using System.Text;
using Perfloop.Domains;
using Perfloop.Journal;

namespace Perfloop.Policies;

/// <summary>
/// What the loop's judgement hands an implementer before an experiment, from the one policy evaluation of that
/// experiment: the chosen target, the history review, the strategy to use (<see cref="CurrentStrategy"/>; after a
/// rotation <see cref="Strategy"/> names the new one), and the stuck-recovery actions when they apply.
/// </summary>
public sealed record ExperimentGuidance(
    int Experiment,
    TargetPick? Target,
    HistoryReview History,
    string? Strategy,
    IReadOnlyList<string> StuckActions)
{
    /// <summary>
    /// The strategy for a candidate that names none: the one a rotation moved to, else the latest one tried, else the
    /// domain's first.
    /// </summary>
    public string CurrentStrategy { get; init; } = "";

    public static ExperimentGuidance Build(int experiment, TargetPick? target, HistoryReview history, PolicyVerdict verdict, IReadOnlyList<ResultRow> sessionRows, Domain domain)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        ArgumentNullException.ThrowIfNull(sessionRows);
        ArgumentNullException.ThrowIfNull(domain);
        var latest = sessionRows.LastOrDefault(r => r.IsExperiment)?.Strategy ?? "";
        return new(experiment, target, history, verdict.NextStrategy, verdict.InStuckRecovery ? StuckRecovery.Actions(sessionRows, domain) : [])
        {
            CurrentStrategy = verdict.NextStrategy ?? (latest.Length > 0 ? latest : domain.RotationOrder[0]),
        };
    }

    /// <summary>Prompt text: target, history, strategy, and the recovery protocol as instructions.</summary>
    /// <param name="headingLevel">2 for a document of its own, 3 inside a prompt's section.</param>
    public string ToMarkdown(int headingLevel = 2)
    {
        var h = new string('#', headingLevel);
        var text = new StringBuilder();
        if (Target is { } pick)
        {
            text.Append(h).Append(" Target\n\n").Append(pick.Description).Append(" — ").Append(pick.Target.Category).Append(", ")
                .Append(pick.Target.ImpactText).Append(" (").Append(pick.Why).Append(")\n\n");
        }

        text.Append(History.ToMarkdown(headingLevel));
        if (Strategy is { } strategy)
        {
            text.Append(h).Append(" Strategy\n\nThe previous strategy failed repeatedly; use '").Append(strategy).Append("' for this change.\n\n");
        }

        if (StuckActions.Count > 0)
        {
            text.Append(h).Append(" Stuck-state recovery\n\nThe last experiments were all discarded. Before this change:\n\n");
            for (var i = 0; i < StuckActions.Count; i++)
            {
                text.Append(i + 1).Append(". ").Append(char.ToUpperInvariant(StuckActions[i][0])).Append(StuckActions[i][1..]).Append(".\n");
            }

            text.Append('\n');
        }

        return text.ToString();
    }
}
