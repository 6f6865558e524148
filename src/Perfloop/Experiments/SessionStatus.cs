using Perfloop.Configuration;
using Perfloop.Domains;
using Perfloop.Journal;
using Perfloop.Policies;

namespace Perfloop.Experiments;

/// <summary>Where a session stands and what the spec says to do next, as a pure function of the results.</summary>
public static class SessionStatus
{
    public static StatusReport Describe(Domain domain, string metric, IReadOnlyList<ResultRow> rows, ExperimentState? active, double? thresholdPct) =>
        Describe(domain, metric, rows, active, thresholdPct, new PolicySettings(), RankingSnapshot.Empty);

    public static StatusReport Describe(Domain domain, string metric, IReadOnlyList<ResultRow> rows, ExperimentState? active, double? thresholdPct, PolicySettings settings, RankingSnapshot ranking)
    {
        var experiments = rows.Where(r => r.IsExperiment).ToList();
        var session = SessionPolicy.CurrentSession(rows);
        var verdict = SessionPolicy.Evaluate(session, new PolicyInputs
        {
            Domain = domain,
            Settings = settings,
            KeepThresholdPct = thresholdPct ?? domain.KeepThresholdPct,
            Ranking = ranking.Targets,
        });
        // Events are evaluated as if not yet recorded: an agent driving the steps sees the same advice the loop acts on.
        var fired = verdict.Events.Select(e => e.Kind).ToList();
        var lastStrategy = session.LastOrDefault(r => r.IsExperiment)?.Strategy ?? "";
        var (state, next) = active is not null
            ? ("normal", NextForPhase(active))
            : verdict.Stop is { } stop
                ? ("stop", $"stop the session: {stop.Rule} — {stop.Why}")
                : verdict.InStuckRecovery
                    ? ("stuck", "stuck recovery: " + string.Join("; ", StuckRecovery.Actions(session, domain)) + $"; stop after {settings.StuckGrace} more experiments without improvement")
                    : fired.Contains(PolicyEvents.Rotate) || verdict.NextStrategy is not null
                        ? ("rotate", $"strategy '{string.Join("', '", verdict.RotatedOut)}' rotated out after repeated discards: switch to the next strategy ({verdict.NextStrategy})")
                        : verdict.ConsecutiveDiscards >= settings.PlateauAfter
                            ? ("plateau_check", $"{verdict.ConsecutiveDiscards} discards in a row: check whether the top {settings.PlateauCandidates} candidates are non-optimizable; if so, stop and report what is left and why")
                            : ("normal", "choose the next target from the bottleneck ranking and run 'perfloop experiment start'");

        return new StatusReport
        {
            Domain = domain.Name,
            Metric = metric,
            ThresholdPct = thresholdPct,
            NextExperiment = active?.Experiment ?? (rows.Count == 0 ? 0 : rows.Max(r => r.Experiment) + 1),
            Active = active is null ? null : new ActiveExperiment(active.Experiment, active.Phase.ToString().ToLowerInvariant(), active.Target, active.Summary, active.Driver.ToString().ToLowerInvariant()),
            Experiments = experiments.Count,
            Kept = experiments.Count(r => r.Status == ExperimentStatus.Keep),
            Discarded = experiments.Count(r => r.Status == ExperimentStatus.Discard),
            Crashed = experiments.Count(r => r.Status == ExperimentStatus.Crash),
            ConsecutiveDiscards = verdict.ConsecutiveDiscards,
            ConsecutiveDiscardsOfStrategy = verdict.ConsecutiveDiscardsOfStrategy,
            State = state,
            Next = next,
            Recent = rows.TakeLast(5).ToList(),
        };
    }

    static string NextForPhase(ExperimentState active) => active.Phase switch
    {
        ExperimentPhase.Started or ExperimentPhase.Implementing => "make the change, then 'perfloop experiment check --summary \"<one line>\"'",
        ExperimentPhase.Implemented => "run 'perfloop experiment check'",
        ExperimentPhase.Checked when active.Early is not null => "run 'perfloop experiment decide' (the candidate will be discarded)",
        ExperimentPhase.Checked => "run 'perfloop experiment bench'",
        ExperimentPhase.Benchmarked => "run 'perfloop experiment guard', then 'perfloop experiment decide'",
        _ => "run 'perfloop experiment decide'",
    };
}
