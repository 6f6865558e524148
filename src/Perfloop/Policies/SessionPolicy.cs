using System.Globalization;
using Perfloop.Configuration;
using Perfloop.Domains;
using Perfloop.Errors;
using Perfloop.Journal;

namespace Perfloop.Policies;

/// <summary>The names of policy events, as written in the <c>target</c> column of an <c>event</c> row.</summary>
public static class PolicyEvents
{
    public const string Rotate = "rotate";
    public const string PlateauCheck = "plateau_check";
    public const string Plateau = "plateau";
    public const string Stuck = "stuck";
    public const string Stop = "stop";
    public const string Milestone = "milestone";
    public const string Skip = "skip";
    public const string ConfigAudit = "config_audit";
    public const string Pickup = "pickup";
}

/// <summary>Something a policy decided, to be printed and recorded as an <c>event</c> row.</summary>
/// <param name="Kind">One of <see cref="PolicyEvents"/>.</param>
/// <param name="Strategy">The strategy it concerns (for a rotation: the one rotated away from).</param>
/// <param name="Summary">A short phrase (goes to the summary column).</param>
/// <param name="Detail">Everything a later session needs to know (goes to the reason column).</param>
public sealed record PolicyEvent(string Kind, string Strategy, string Summary, string Detail)
{
    public string Line => $"[policy] {Kind}: {Detail}";

    public ResultRow ToRow(int experiment, DateTimeOffset timestamp, string domain, string metric) => new()
    {
        Experiment = experiment,
        Timestamp = timestamp,
        Domain = domain,
        Target = Kind,
        Strategy = Strategy,
        Summary = Summary,
        Metric = metric,
        Status = ExperimentStatus.Event,
        Reason = Detail,
    };
}

/// <summary>Why the session stops, in words for the user and for HANDOFF.md.</summary>
public sealed record StopDecision(string Rule, string Why);

/// <summary>What the policies need besides the rows.</summary>
public sealed record PolicyInputs
{
    public required Domain Domain { get; init; }

    public PolicySettings Settings { get; init; } = new();

    /// <summary>The effective keep threshold of the session (percent).</summary>
    public required double KeepThresholdPct { get; init; }

    /// <summary>The ranked targets, best first; empty when no profile was ranked.</summary>
    public IReadOnlyList<RankedTarget> Ranking { get; init; } = [];

    /// <summary>The user's goal: stop once the cumulative speedup reaches it (e.g. 1.5).</summary>
    public double? TargetSpeedup { get; init; }

    public int? MaxExperiments { get; init; }

    public double? MaxMinutes { get; init; }

    public TimeSpan Elapsed { get; init; }
}

/// <summary>What the policies say after the latest row: events to record now, whether to stop, and the advice for the next experiment.</summary>
public sealed record PolicyVerdict(
    IReadOnlyList<PolicyEvent> Events,
    StopDecision? Stop,
    string? NextStrategy,
    IReadOnlyList<string> RotatedOut,
    bool MilestoneDue,
    int ConsecutiveDiscards,
    int ConsecutiveDiscardsOfStrategy,
    bool InStuckRecovery);

/// <summary>
/// The loop's policies — strategy rotation, plateau check, stuck recovery, stopping rules and milestones — as one pure
/// function of the session's rows (events included, so an event fires once) and <see cref="PolicyInputs"/>.
/// </summary>
public static class SessionPolicy
{
    /// <summary>The rows of the current session: from the latest baseline row on (all rows when there is none).</summary>
    public static IReadOnlyList<ResultRow> CurrentSession(IReadOnlyList<ResultRow> rows)
    {
        var start = -1;
        for (var i = rows.Count - 1; i >= 0; i--)
        {
            if (rows[i].Status == ExperimentStatus.Baseline)
            {
                start = i;
                break;
            }
        }

        return start < 0 ? rows : rows.Skip(start).ToList();
    }

    public static PolicyVerdict Evaluate(IReadOnlyList<ResultRow> sessionRows, PolicyInputs inputs)
    {
        var settings = inputs.Settings;
        var events = new List<PolicyEvent>();
        var lastKeep = LastIndex(sessionRows, r => r.Status == ExperimentStatus.Keep);
        var streak = Indexes(sessionRows, r => r.IsExperiment, lastKeep + 1);
        var streakStart = streak.Count > 0 ? streak[0] : sessionRows.Count;
        bool Recorded(string kind, int from, string strategy = "") =>
            Indexes(sessionRows, r => r.Status == ExperimentStatus.Event && r.Target == kind && (strategy.Length == 0 || string.Equals(r.Strategy, strategy, StringComparison.OrdinalIgnoreCase)), from).Count > 0;

        // Strategy rotation: a run of discards of one strategy (since the last keep) hands over to the next strategy.
        var rotatedOut = Indexes(sessionRows, r => r.Status == ExperimentStatus.Event && r.Target == PolicyEvents.Rotate, lastKeep + 1)
            .Select(i => sessionRows[i].Strategy).ToList();
        var lastStrategy = streak.Count > 0 ? sessionRows[streak[^1]].Strategy : "";
        var sameStrategy = 0;
        for (var i = streak.Count - 1; i >= 0 && lastStrategy.Length > 0 && string.Equals(sessionRows[streak[i]].Strategy, lastStrategy, StringComparison.OrdinalIgnoreCase); i--)
        {
            sameStrategy++;
        }

        if (sameStrategy >= settings.RotateAfter && !Recorded(PolicyEvents.Rotate, streak[streak.Count - sameStrategy], lastStrategy))
        {
            rotatedOut.Add(lastStrategy);
            var next = NextStrategy(inputs.Domain, lastStrategy, rotatedOut);
            events.Add(new PolicyEvent(PolicyEvents.Rotate, lastStrategy, $"{lastStrategy} → {next}",
                $"{sameStrategy} consecutive discards with strategy '{lastStrategy}'; switching to the domain's next strategy '{next}'"));
        }

        StopDecision? stop = null;

        // Plateau: after enough discards in a row, are the best remaining candidates worth anything?
        if (streak.Count >= settings.PlateauAfter && !Recorded(PolicyEvents.PlateauCheck, streakStart) && !Recorded(PolicyEvents.Plateau, streakStart))
        {
            var check = PlateauCheck(sessionRows, inputs);
            if (check.Stop)
            {
                events.Add(new PolicyEvent(PolicyEvents.Plateau, "", "top candidates are non-optimizable", check.Detail));
                stop = new StopDecision(PolicyEvents.Plateau, check.Detail);
            }
            else
            {
                events.Add(new PolicyEvent(PolicyEvents.PlateauCheck, "", "candidates left", check.Detail));
            }
        }

        // Stuck: the recovery protocol once, then a few more tries before giving up.
        var stuckAt = Indexes(sessionRows, r => r.Status == ExperimentStatus.Event && r.Target == PolicyEvents.Stuck, streakStart);
        var inRecovery = stuckAt.Count > 0;
        if (streak.Count >= settings.StuckAfter && !inRecovery)
        {
            events.Add(new PolicyEvent(PolicyEvents.Stuck, "", $"{streak.Count} consecutive discards",
                $"{streak.Count} consecutive discards: stuck-state recovery — {string.Join("; ", StuckRecovery.Actions(sessionRows, inputs.Domain))}; stopping after {settings.StuckGrace} more experiments without improvement"));
            inRecovery = true;
        }
        else if (inRecovery && stop is null)
        {
            var since = streak.Count(i => i > stuckAt[0]);
            if (since >= settings.StuckGrace)
            {
                stop = new StopDecision(PolicyEvents.Stuck,
                    $"{since} experiments after stuck recovery without improvement ({streak.Count} discards in a row); the code appears to be at its optimization floor for the {inputs.Domain.Name} domain. Tried: {StuckRecovery.Tried(sessionRows)}");
            }
        }

        stop ??= Stopping(sessionRows, inputs);
        if (stop is not null && stop.Rule != PolicyEvents.Plateau)
        {
            events.Add(new PolicyEvent(PolicyEvents.Stop, "", stop.Rule, stop.Why));
        }

        var kept = sessionRows.Count(r => r.Status == ExperimentStatus.Keep);
        var milestoneDue = kept > 0 && kept % settings.MilestoneEvery == 0 && lastKeep >= 0
            && !Recorded(PolicyEvents.Milestone, lastKeep);
        var nextStrategy = rotatedOut.Count > 0 ? NextStrategy(inputs.Domain, rotatedOut[^1], rotatedOut) : null;
        return new PolicyVerdict(events, stop, nextStrategy, rotatedOut, milestoneDue, streak.Count, sameStrategy, inRecovery);
    }

    /// <summary>The domain's strategy after <paramref name="strategy"/> in rotation order, skipping those already rotated out.</summary>
    public static string NextStrategy(Domain domain, string strategy, IReadOnlyCollection<string> rotatedOut)
    {
        var order = domain.RotationOrder;
        var index = order.ToList().FindIndex(s => string.Equals(s, strategy, StringComparison.OrdinalIgnoreCase));
        for (var step = 1; step <= order.Count; step++)
        {
            var candidate = order[(index + step + order.Count) % order.Count];
            if (!rotatedOut.Contains(candidate, StringComparer.OrdinalIgnoreCase))
            {
                return candidate;
            }
        }

        return order[(index + 1 + order.Count) % order.Count];
    }

    sealed record PlateauResult(bool Stop, string Detail);

    static PlateauResult PlateauCheck(IReadOnlyList<ResultRow> sessionRows, PolicyInputs inputs)
    {
        var n = inputs.Settings.PlateauCandidates;
        if (inputs.Ranking.Count == 0)
        {
            return new(false, $"no bottleneck ranking to judge the remaining candidates ({Mention.Command("rank")} or {Mention.Command("profile")} makes one); continuing");
        }

        var remaining = inputs.Ranking.Where(t => !TargetChoice.Improved(sessionRows, t)).Take(n).ToList();
        var verdicts = remaining.Select(t => (Target: t, Why: NonOptimizable(t, sessionRows, inputs))).ToList();
        var text = string.Join("; ", verdicts.Select(v => $"{v.Target.Name} ({v.Target.TotalPercent.ToString("0.#", CultureInfo.InvariantCulture)}%): {v.Why ?? "optimizable"}"));
        return verdicts.Count > 0 && verdicts.All(v => v.Why is not null)
            ? new(true, $"the top {verdicts.Count} remaining candidates are non-optimizable — {text}")
            : new(false, $"top {verdicts.Count} remaining candidates: {text}; continuing");
    }

    /// <summary>Why a ranked target is not worth another experiment, or null when it is.</summary>
    public static string? NonOptimizable(RankedTarget target, IReadOnlyList<ResultRow> sessionRows, PolicyInputs inputs)
    {
        if (!target.Optimizable)
        {
            return target.NotOptimizableReason ?? "outside the repository's code";
        }

        if (target.TotalPercent < inputs.Settings.NonOptimizableSharePct)
        {
            return string.Create(CultureInfo.InvariantCulture, $"under {inputs.Settings.NonOptimizableSharePct:0.##}% of the profile");
        }

        // Removing it entirely would save at most its share: below the measured threshold no change can be proven.
        if (target.TotalPercent < inputs.KeepThresholdPct)
        {
            return string.Create(CultureInfo.InvariantCulture, $"at the measured floor: its whole share is below the {inputs.KeepThresholdPct:0.##}% keep threshold");
        }

        var failed = sessionRows.Count(r => r.IsExperiment && r.Status != ExperimentStatus.Keep && TargetChoice.Match([target], r.Target) is not null);
        return failed >= inputs.Settings.RotateAfter ? $"at the measured floor: {failed} experiments on it found no measurable gain" : null;
    }

    static StopDecision? Stopping(IReadOnlyList<ResultRow> sessionRows, PolicyInputs inputs)
    {
        var settings = inputs.Settings;
        var experiments = sessionRows.Where(r => r.IsExperiment).ToList();
        var keeps = experiments.Where(r => r.Status == ExperimentStatus.Keep).ToList();
        var speedup = CumulativeSpeedup(keeps);
        if (inputs.TargetSpeedup is { } goal && speedup >= goal)
        {
            return new StopDecision("target reached", string.Create(CultureInfo.InvariantCulture, $"cumulative speedup {speedup:0.###}x reached the target {goal:0.###}x"));
        }

        var diminishing = settings.DiminishingPct ?? inputs.Domain.KeepThresholdPct * 1.5;
        var recent = keeps.TakeLast(settings.DiminishingKeeps).ToList();
        if (recent.Count == settings.DiminishingKeeps && experiments[^1].Status == ExperimentStatus.Keep && recent.All(k => Improvement(k) < diminishing))
        {
            return new StopDecision("diminishing returns", string.Create(CultureInfo.InvariantCulture,
                $"the last {recent.Count} keeps each improved the metric by less than {diminishing:0.##}% ({string.Join(", ", recent.Select(k => $"{Improvement(k):0.#}%"))})"));
        }

        if (experiments.Count >= settings.StallWindow)
        {
            var window = experiments.TakeLast(settings.StallWindow).Where(r => r.Status == ExperimentStatus.Keep).ToList();
            var gained = (1 - (1 / CumulativeSpeedup(window))) * 100;
            if (gained < settings.StallPct)
            {
                return new StopDecision("cumulative stall", string.Create(CultureInfo.InvariantCulture,
                    $"the last {settings.StallWindow} experiments improved the metric by {gained:0.##}% in all (under {settings.StallPct:0.##}%)"));
            }
        }

        if (inputs.MaxExperiments is { } max && experiments.Count >= max)
        {
            return new StopDecision("budget", $"{experiments.Count} experiments run ({Mention.Input("max-experiments")} {max})");
        }

        if (inputs.MaxMinutes is { } minutes && inputs.Elapsed.TotalMinutes >= minutes)
        {
            return new StopDecision("budget", string.Create(CultureInfo.InvariantCulture, $"{inputs.Elapsed.TotalMinutes:0.#} minutes elapsed ({Mention.Input("max-minutes")} {minutes:0.##})"));
        }

        return null;
    }

    /// <summary>How much faster the kept changes made the program, from each keep's paired estimate: 1 / Π(1 + δ).</summary>
    public static double CumulativeSpeedup(IEnumerable<ResultRow> keeps)
    {
        var ratio = 1.0;
        foreach (var keep in keeps)
        {
            if (keep.DeltaPct is { } delta)
            {
                ratio *= 1 + (delta / 100);
            }
        }

        return ratio > 0 ? 1 / ratio : double.PositiveInfinity;
    }

    /// <summary>Improvement of a row in percent (positive = better, for the lower-is-better metrics of all domains).</summary>
    public static double Improvement(ResultRow row) => -(row.DeltaPct ?? 0);

    static int LastIndex(IReadOnlyList<ResultRow> rows, Func<ResultRow, bool> predicate)
    {
        for (var i = rows.Count - 1; i >= 0; i--)
        {
            if (predicate(rows[i]))
            {
                return i;
            }
        }

        return -1;
    }

    static List<int> Indexes(IReadOnlyList<ResultRow> rows, Func<ResultRow, bool> predicate, int from)
    {
        var result = new List<int>();
        for (var i = Math.Max(0, from); i < rows.Count; i++)
        {
            if (predicate(rows[i]))
            {
                result.Add(i);
            }
        }

        return result;
    }
}
