using Perfloop.Configuration;
using Perfloop.Domains;
using Perfloop.Experiments;
using Perfloop.Journal;
using Perfloop.Policies;

namespace Perfloop.Sessions;

/// <summary>Where a session stands and what the spec says to do next, as a pure function of the results.</summary>
public static class SessionStatus
{
    public static StatusReport Describe(Domain domain, string metric, IReadOnlyList<ResultRow> rows, ExperimentState? active, double? thresholdPct) =>
        Describe(domain, metric, rows, active, thresholdPct, new PolicySettings(), RankingSnapshot.Empty);

    public static StatusReport Describe(Domain domain, string metric, IReadOnlyList<ResultRow> rows, ExperimentState? active, double? thresholdPct, PolicySettings settings, RankingSnapshot ranking)
    {
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(ranking);
        var ledger = SessionLedger.InMemory(rows);
        var experiments = rows.Where(r => r.IsExperiment).ToList();
        var session = ledger.CurrentSession;
        var verdict = SessionPolicy.Evaluate(session, new PolicyInputs
        {
            Domain = domain,
            Settings = settings,
            KeepThresholdPct = thresholdPct ?? domain.KeepThresholdPct,
            Ranking = ranking.Targets,
        });
        // Events are evaluated as if not yet recorded: an agent driving the steps sees the same advice the loop acts on.
        var fired = verdict.Events.Select(e => e.Kind).ToList();
        var (state, next) = active is not null
            ? ("normal", NextForPhase(active))
            : verdict.Stop is { } stop
                ? ("stop", new NextStep(NextAction.Stop, $"{stop.Rule} — {stop.Why}"))
                : verdict.InStuckRecovery
                    ? ("stuck", new NextStep(NextAction.RecoverFromStuck, string.Join("; ", StuckRecovery.Actions(session, domain)) + $"; stop after {settings.StuckGrace} more experiments without improvement"))
                    : fired.Contains(PolicyEvents.Rotate) || verdict.NextStrategy is not null
                        ? ("rotate", new NextStep(NextAction.SwitchStrategy, $"strategy '{string.Join("', '", verdict.RotatedOut)}' rotated out after repeated discards: switch to the next strategy ({verdict.NextStrategy})"))
                        : verdict.ConsecutiveDiscards >= settings.PlateauAfter
                            ? ("plateau_check", new NextStep(NextAction.CheckPlateau, $"{verdict.ConsecutiveDiscards} discards in a row: check whether the top {settings.PlateauCandidates} candidates are non-optimizable; if so, stop and report what is left and why"))
                            : ("normal", new NextStep(NextAction.StartNext));

        return new StatusReport
        {
            Domain = domain.Name,
            Metric = metric,
            ThresholdPct = thresholdPct,
            NextExperiment = active?.Experiment ?? ledger.NextExperimentNumber,
            Active = active is null ? null : new ActiveExperiment(active.Experiment, active.Phase.ToString().ToLowerInvariant(), active.Target, active.Summary, active.Driver.ToString().ToLowerInvariant()),
            Experiments = experiments.Count,
            Kept = experiments.Count(r => r.Status == ExperimentStatus.Keep),
            Discarded = experiments.Count(r => r.Status == ExperimentStatus.Discard),
            Crashed = experiments.Count(r => r.Status == ExperimentStatus.Crash),
            ConsecutiveDiscards = verdict.ConsecutiveDiscards,
            ConsecutiveDiscardsOfStrategy = verdict.ConsecutiveDiscardsOfStrategy,
            State = state,
            NextStep = next,
            Recent = rows.TakeLast(5).ToList(),
        };
    }

    /// <summary>The step an experiment in progress needs next.</summary>
    public static NextStep NextForPhase(ExperimentState active)
    {
        ArgumentNullException.ThrowIfNull(active);
        return active.Phase switch
        {
            ExperimentPhase.Started or ExperimentPhase.Implementing => new(NextAction.MakeChange),
            ExperimentPhase.Implemented => new(NextAction.Check),
            ExperimentPhase.Checked when active.Early is not null => new(NextAction.DecideToDiscard),
            ExperimentPhase.Checked => new(NextAction.Bench),
            ExperimentPhase.Benchmarked => new(NextAction.GuardThenDecide),
            _ => new(NextAction.Decide),
        };
    }
}
