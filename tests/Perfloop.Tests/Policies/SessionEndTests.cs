using Perfloop.Policies;

namespace Perfloop.Tests.Policies;

public sealed class SessionEndTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("perfloop-end-").FullName;

    static SessionFacts Facts(DateTimeOffset ended) => new()
    {
        Domain = "cpu",
        Branch = "main",
        Metric = "wall_ms",
        Unit = "ms",
        EndedAt = ended,
        Rows =
        [
            Rows.Baseline(), Rows.Keep(1, "data-structure", -48, "WordCounter.Count", "abcdef1234567890"),
            Rows.Discard(2, "caching", reason: "regression: +3.1%"),
            new EscalationFinding("wall_over_cpu", "wall time 1000 ms is 5x the CPU time", "async").ToRow(0, ended, "cpu", "wall_ms"),
            new PolicyEvent(PolicyEvents.Rotate, "caching", "caching → allocation", "3 consecutive discards").ToRow(2, ended, "cpu", "wall_ms"),
        ],
        Stop = new StopDecision(PolicyEvents.Stuck, "3 experiments after stuck recovery without improvement"),
    };

    [Fact]
    public void Learnings_follow_the_spec_format_with_measured_figures()
    {
        var text = SessionEnd.Learnings(Facts(new DateTimeOffset(2026, 11, 26, 1, 0, 0, TimeSpan.Zero)));
        Assert.StartsWith("## 2026-11-26 — cpu session on main\n\n### What worked\n- keep 1 (data-structure) on WordCounter.Count gave 300ms → 156ms (−48%, CI −50…−46%)", text);
        Assert.Contains("### What didn't work\n- discard 2 (caching) on Parser.Parse — regression: +3.1%", text);
        Assert.Contains("### Codebase insights\n", text);
        Assert.Contains("suggests async", text);
    }

    [Fact]
    public void Handoff_names_baseline_cumulative_keeps_discards_escalations_and_next_steps()
    {
        var text = SessionEnd.Handoff(Facts(DateTimeOffset.UnixEpoch));
        Assert.Contains("- Baseline: base00000000 (wall_ms 300ms", text);
        Assert.Contains("- Cumulative: wall_ms 300ms → 156ms (1.923x", text);
        Assert.Contains("abcdef123456 keep 1 — 300ms → 156ms", text);
        Assert.Contains("experiment 2: discard 2 — discard: regression: +3.1%", text);
        Assert.Contains("experiment 0 | ESCALATE | wall time 1000 ms is 5x the CPU time | suggests async", text);
        Assert.Contains("rotate — 3 consecutive discards", text);
        Assert.Contains("consider the escalation", text);
    }

    [Fact]
    public void A_new_session_picks_up_both_documents_and_learnings_are_appended()
    {
        Assert.Null(Perfloop.Sessions.SessionFiles.Pickup(root));
        Perfloop.Sessions.SessionFiles.WriteSessionEnd(root, Facts(DateTimeOffset.UnixEpoch));
        Perfloop.Sessions.SessionFiles.WriteSessionEnd(root, Facts(DateTimeOffset.UnixEpoch.AddDays(1)));
        var pickup = Perfloop.Sessions.SessionFiles.Pickup(root);
        Assert.NotNull(pickup);
        Assert.Contains("stopped on stuck", pickup);
        Assert.Contains("1 escalation(s)", pickup);
        Assert.Contains("learnings.md (2 session(s)): 2 technique(s) that worked, 2 that didn't", pickup);
    }

    public void Dispose() => Directory.Delete(root, recursive: true);
}
