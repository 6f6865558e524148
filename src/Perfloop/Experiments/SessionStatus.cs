using Perfloop.Domains;
using Perfloop.Journal;

namespace Perfloop.Experiments;

/// <summary>Where a session stands and what the spec says to do next, as a pure function of the results.</summary>
public static class SessionStatus
{
    public const int RotateAfter = 3;
    public const int PlateauCheckAfter = 3;
    public const int StuckAfter = 5;

    public static StatusReport Describe(Domain domain, string metric, IReadOnlyList<ResultRow> rows, ExperimentState? active, double? thresholdPct)
    {
        var experiments = rows.Where(r => r.Status is not ExperimentStatus.Baseline and not ExperimentStatus.Escalate).ToList();
        var consecutive = experiments.AsEnumerable().Reverse().TakeWhile(r => r.Status != ExperimentStatus.Keep).Count();
        var lastStrategy = experiments.LastOrDefault()?.Strategy ?? "";
        var sameStrategy = experiments.AsEnumerable().Reverse()
            .TakeWhile(r => r.Status != ExperimentStatus.Keep && r.Strategy == lastStrategy).Count();
        var (state, next) = (consecutive, sameStrategy) switch
        {
            _ when active is not null => ("normal", NextForPhase(active)),
            ( >= StuckAfter, _) => ("stuck", "stuck recovery: re-read the in-scope code and results.tsv, combine 2-3 kept changes, try the opposite of what failed; stop after 3 more experiments without improvement"),
            ( >= PlateauCheckAfter, >= RotateAfter) when lastStrategy.Length > 0 => ("rotate", $"{sameStrategy} discards in a row with strategy '{lastStrategy}': switch to the next strategy ({NextStrategy(domain, lastStrategy)})"),
            ( >= PlateauCheckAfter, _) => ("plateau_check", "3+ discards in a row: check whether the top 3 candidates are non-optimizable; if so, stop and report what is left and why"),
            _ => ("normal", "choose the next target from the bottleneck ranking and run 'perfloop experiment start'"),
        };

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
            ConsecutiveDiscards = consecutive,
            ConsecutiveDiscardsOfStrategy = sameStrategy,
            State = state,
            Next = next,
            Recent = rows.TakeLast(5).ToList(),
        };
    }

    /// <summary>The domain's strategy after <paramref name="strategy"/> in its rotation order (wrapping around).</summary>
    public static string NextStrategy(Domain domain, string strategy)
    {
        var order = domain.RotationOrder;
        var index = order.ToList().FindIndex(s => string.Equals(s, strategy, StringComparison.OrdinalIgnoreCase));
        return order[(index + 1) % order.Count];
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
