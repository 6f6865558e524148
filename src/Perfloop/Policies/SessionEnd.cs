using System.Globalization;
using System.Text;
using Perfloop.Configuration;
using Perfloop.Git;
using Perfloop.Journal;

namespace Perfloop.Policies;

/// <summary>What a session leaves for the next one, as facts the documents are rendered from.</summary>
public sealed record SessionFacts
{
    public required string Domain { get; init; }

    public required string Branch { get; init; }

    public required string Metric { get; init; }

    public required string Unit { get; init; }

    public required DateTimeOffset EndedAt { get; init; }

    /// <summary>This session's rows, baseline first.</summary>
    public required IReadOnlyList<ResultRow> Rows { get; init; }

    public StopDecision? Stop { get; init; }

    /// <summary>The last milestone's measured before → after line, when one was cut.</summary>
    public string? MeasuredCumulative { get; init; }

    public IReadOnlyList<RankedTarget> Ranking { get; init; } = [];

    public string? NextStrategy { get; init; }

    /// <summary>How to re-profile this benchmark (<see cref="Profiling.ProfilingAdvice.Reprofile"/>); never a command that cannot profile it.</summary>
    public string ReprofileHint { get; init; } = "re-profile the benchmark and rank again";

    public ResultRow? Baseline => Rows.FirstOrDefault(r => r.Status == ExperimentStatus.Baseline);

    public IReadOnlyList<ResultRow> Keeps => Rows.Where(r => r.Status == ExperimentStatus.Keep).ToList();

    public IReadOnlyList<ResultRow> NotKept => Rows.Where(r => r.Status is ExperimentStatus.Discard or ExperimentStatus.Crash).ToList();

    public IReadOnlyList<ResultRow> Escalations => Rows.Where(r => r.Status == ExperimentStatus.Escalate).ToList();

    public IReadOnlyList<ResultRow> Events => Rows.Where(r => r.Status == ExperimentStatus.Event).ToList();
}

/// <summary>
/// Session end: <c>.perfloop/learnings.md</c> (appended, the spec's format) and <c>.perfloop/HANDOFF.md</c> (replaced),
/// both rendered from the real rows; and what a new session picks up from them.
/// </summary>
public static class SessionEnd
{
    public static string LearningsPath(string root) => Path.Combine(PerfloopPaths.StateDirectory(root), "learnings.md");

    public static string HandoffPath(string root) => Path.Combine(PerfloopPaths.StateDirectory(root), "HANDOFF.md");

    public static string Learnings(SessionFacts facts)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"## {facts.EndedAt:yyyy-MM-dd} — {facts.Domain} session on {facts.Branch}\n\n");
        text.Append("### What worked\n");
        Bullets(text, facts.Keeps.Select(k => $"{k.Summary}{Strategy(k)} on {Or(k.Target, "its target")} gave {Figure(k, facts.Unit)}"), "nothing was kept this session");
        text.Append("### What didn't work\n");
        Bullets(text, facts.NotKept.Select(r => $"{r.Summary}{Strategy(r)} on {Or(r.Target, "its target")} — {r.Reason}"), "every experiment was kept");
        text.Append("### Codebase insights\n");
        Bullets(text, Insights(facts), "none recorded");
        return text.ToString();
    }

    public static string Handoff(SessionFacts facts)
    {
        var text = new StringBuilder();
        var baseline = facts.Baseline;
        var keeps = facts.Keeps;
        var speedup = SessionPolicy.CumulativeSpeedup(keeps);
        text.Append(CultureInfo.InvariantCulture, $"# Perfloop handoff — {facts.Domain} session on {facts.Branch}, ended {facts.EndedAt:yyyy-MM-dd HH:mm}Z\n\n");
        text.Append(CultureInfo.InvariantCulture, $"- Baseline: {CommitId.Abbreviate(baseline?.Commit)} ({facts.Metric} {Value(baseline?.Baseline, facts.Unit)}, effective keep threshold {Pct(baseline?.ThresholdPct)})\n");
        var after = baseline?.Baseline is { } b ? Value(b / speedup, facts.Unit) : "?";
        text.Append(CultureInfo.InvariantCulture, $"- Cumulative: {facts.Metric} {Value(baseline?.Baseline, facts.Unit)} → {after} ({speedup:0.###}x, from the kept experiments' paired estimates)\n");
        if (facts.MeasuredCumulative is { } measured)
        {
            text.Append("- Measured end to end at the last milestone: ").Append(measured).Append('\n');
        }

        text.Append(CultureInfo.InvariantCulture, $"- Experiments: {keeps.Count} kept of {facts.Rows.Count(r => r.IsExperiment)}\n");
        text.Append("- Stopped: ").Append(facts.Stop is { } stop ? $"{stop.Rule} — {stop.Why}" : "the candidates ran out").Append("\n\n");

        text.Append("## Kept commits\n\n");
        Bullets(text, keeps.Select(k => $"{CommitId.Abbreviate(k.Commit)} {k.Summary} — {Figure(k, facts.Unit)}"), "none");
        text.Append("## Discarded\n\n");
        Bullets(text, facts.NotKept.Select(r => $"experiment {r.Experiment}: {r.Summary} — {r.StatusText}: {r.Reason}"), "none");
        text.Append("## Escalations\n\n");
        Bullets(text, facts.Escalations.Select(e => $"experiment {e.Experiment} | ESCALATE | {e.Reason}"), "none");
        text.Append("## Policy events\n\n");
        Bullets(text, facts.Events.Select(e => $"after experiment {e.Experiment}: {(e.Target == PolicyEvents.Milestone ? $"milestone {e.Summary}" : e.Target)} — {e.Reason}"), "none");
        text.Append("## What to try next\n\n");
        Bullets(text, NextSteps(facts), facts.ReprofileHint);
        return text.ToString();
    }

    /// <summary>What a new run says it picked up from the previous session's documents; null when there are none.</summary>
    public static string? Pickup(string? handoff, string? learnings)
    {
        var parts = new List<string>();
        if (handoff is not null)
        {
            var lines = handoff.ReplaceLineEndings("\n").Split('\n');
            var title = lines.FirstOrDefault(l => l.StartsWith("# ", StringComparison.Ordinal))?.TrimStart('#', ' ') ?? "HANDOFF.md";
            var escalations = Section(lines, "## Escalations").Where(l => l != "- none").ToList();
            var next = Section(lines, "## What to try next").ToList();
            var stopped = lines.FirstOrDefault(l => l.StartsWith("- Stopped: ", StringComparison.Ordinal))?["- Stopped: ".Length..];
            parts.Add($"HANDOFF.md ({title.Replace("Perfloop handoff — ", "", StringComparison.Ordinal)}): stopped on {stopped ?? "?"}; "
                + $"{escalations.Count} escalation(s){(escalations.Count > 0 ? $" ({string.Join("; ", escalations.Select(e => e.TrimStart('-', ' ')))})" : "")}"
                + (next.Count > 0 ? $"; next: {next[0].TrimStart('-', ' ')}" : ""));
        }

        if (learnings is not null)
        {
            var lines = learnings.ReplaceLineEndings("\n").Split('\n');
            var sessions = lines.Count(l => l.StartsWith("## ", StringComparison.Ordinal));
            var worked = AllSections(lines, "### What worked").Count(l => !l.StartsWith("- nothing", StringComparison.Ordinal));
            var failed = AllSections(lines, "### What didn't work").Count(l => !l.StartsWith("- every", StringComparison.Ordinal));
            parts.Add($"learnings.md ({sessions} session(s)): {worked} technique(s) that worked, {failed} that didn't");
        }

        return parts.Count == 0 ? null : string.Join("; ", parts);
    }

    static IEnumerable<string> NextSteps(SessionFacts facts)
    {
        foreach (var e in facts.Escalations)
        {
            yield return $"consider the escalation: {e.Reason}";
        }

        if (facts.NextStrategy is { } strategy)
        {
            yield return $"strategy '{strategy}' (next in the rotation)";
        }

        var improved = facts.Keeps.Select(k => k.Target).ToHashSet(StringComparer.Ordinal);
        foreach (var target in facts.Ranking.Where(t => t.Optimizable && !improved.Contains(t.Name)).Take(3))
        {
            yield return $"ranked target {target.Name} ({target.Category}, {target.ImpactText})";
        }

        foreach (var keep in facts.Keeps.TakeLast(2))
        {
            yield return $"look for more opportunities like \"{keep.Summary}\"{Strategy(keep)} elsewhere";
        }
    }

    static IEnumerable<string> Insights(SessionFacts facts)
    {
        var byTarget = facts.Keeps.GroupBy(k => k.Target).Where(g => g.Key.Length > 0).OrderByDescending(g => g.Sum(SessionPolicy.Improvement));
        foreach (var group in byTarget.Take(3))
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"{group.Key} gave {group.Count()} keep(s), {SessionPolicy.Improvement(group.First()):0.#}% the first");
        }

        var baseline = facts.Baseline;
        if (baseline?.ThresholdPct is { } t)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"the machine resolves changes of {t:0.##}% on this benchmark (A/A calibration); smaller gains cannot be proven here");
        }

        foreach (var e in facts.Escalations)
        {
            yield return e.Reason;
        }

        foreach (var target in facts.Ranking.Take(3))
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"{target.Name} holds {target.TotalPercent:0.#}% of the profile{(target.Optimizable ? "" : $" but is not optimizable ({target.NotOptimizableReason})")}");
        }

        if (facts.Stop is { } stop)
        {
            yield return $"the session stopped on {stop.Rule}: {stop.Why}";
        }
    }

    static IEnumerable<string> Section(string[] lines, string heading) =>
        lines.SkipWhile(l => l != heading).Skip(1).TakeWhile(l => !l.StartsWith('#')).Where(l => l.StartsWith("- ", StringComparison.Ordinal));

    static IEnumerable<string> AllSections(string[] lines, string heading)
    {
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i] == heading)
            {
                for (var j = i + 1; j < lines.Length && !lines[j].StartsWith('#'); j++)
                {
                    if (lines[j].StartsWith("- ", StringComparison.Ordinal))
                    {
                        yield return lines[j];
                    }
                }
            }
        }
    }

    static void Bullets(StringBuilder text, IEnumerable<string> items, string empty)
    {
        var any = false;
        foreach (var item in items)
        {
            text.Append("- ").Append(item.Replace('\n', ' ')).Append('\n');
            any = true;
        }

        if (!any)
        {
            text.Append("- ").Append(empty).Append('\n');
        }

        text.Append('\n');
    }

    /// <summary>"300ms → 150ms (−50.0%, CI −52.1…−48.0%)".</summary>
    public static string Figure(ResultRow row, string unit)
    {
        var values = row.Baseline is { } b && row.Candidate is { } c ? $"{Value(b, unit)} → {Value(c, unit)} " : "";
        var interval = row.CiLowPct is { } lo && row.CiHighPct is { } hi ? string.Create(CultureInfo.InvariantCulture, $", CI {Signed(lo)}…{Signed(hi)}%") : "";
        return row.DeltaPct is { } d ? $"{values}({Signed(d)}%{interval})" : values.Trim();
    }

    static string Strategy(ResultRow row) => row.Strategy.Length > 0 ? $" ({row.Strategy})" : "";

    static string Signed(double value) => string.Create(CultureInfo.InvariantCulture, $"{(value < 0 ? "−" : "+")}{Math.Abs(value):0.#}");

    static string Value(double? value, string unit) => value is { } v ? string.Create(CultureInfo.InvariantCulture, $"{v:0.#}{unit}") : "?";

    static string Pct(double? value) => value is { } v ? string.Create(CultureInfo.InvariantCulture, $"{v:0.##}%") : "?";


    static string Or(string value, string fallback) => value.Length > 0 ? value : fallback;
}
