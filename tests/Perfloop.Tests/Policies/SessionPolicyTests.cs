using Perfloop.Configuration;
using Perfloop.Journal;
using Perfloop.Policies;

namespace Perfloop.Tests.Policies;

public class SessionPolicyTests
{
    static PolicyInputs Inputs(PolicySettings? settings = null, IReadOnlyList<RankedTarget>? ranking = null) => new()
    {
        Domain = Domains.Domains.Cpu,
        Settings = settings ?? new PolicySettings(),
        KeepThresholdPct = 5,
        Ranking = ranking ?? [],
    };

    /// <summary>Appends the verdict's events as the loop does, so the next evaluation sees them.</summary>
    static (List<ResultRow> Rows, PolicyVerdict Verdict) Step(List<ResultRow> rows, ResultRow row, PolicyInputs inputs)
    {
        rows.Add(row);
        var verdict = SessionPolicy.Evaluate(rows, inputs);
        rows.AddRange(verdict.Events.Select(e => e.ToRow(row.Experiment, row.Timestamp, "cpu", "wall_ms")));
        return (rows, verdict);
    }

    [Fact]
    public void Three_discards_of_one_strategy_rotate_to_the_next_strategy_once()
    {
        var rows = new List<ResultRow> { Rows.Baseline() };
        Assert.Empty(Step(rows, Rows.Discard(1, "caching"), Inputs()).Verdict.Events);
        Assert.DoesNotContain(Step(rows, Rows.Discard(2, "caching"), Inputs()).Verdict.Events, e => e.Kind == PolicyEvents.Rotate);
        var verdict = Step(rows, Rows.Discard(3, "caching"), Inputs()).Verdict;
        var rotate = Assert.Single(verdict.Events, e => e.Kind == PolicyEvents.Rotate);
        Assert.Equal("caching", rotate.Strategy);
        Assert.Equal("allocation", verdict.NextStrategy);
        Assert.Contains("caching", verdict.RotatedOut);
        Assert.DoesNotContain(Step(rows, Rows.Discard(4, "caching"), Inputs()).Verdict.Events, e => e.Kind == PolicyEvents.Rotate);
    }

    [Fact]
    public void Rotation_skips_strategies_already_rotated_out_and_a_keep_resets_it()
    {
        var rows = new List<ResultRow> { Rows.Baseline() };
        for (var i = 1; i <= 3; i++)
        {
            Step(rows, Rows.Discard(i, "allocation"), Inputs());
        }

        for (var i = 4; i <= 6; i++)
        {
            Step(rows, Rows.Discard(i, "loops"), Inputs(new PolicySettings { StuckAfter = 50 }));
        }

        var verdict = SessionPolicy.Evaluate(rows, Inputs(new PolicySettings { StuckAfter = 50 }));
        Assert.Equal(["allocation", "loops"], verdict.RotatedOut);
        Assert.Equal("parallelism", verdict.NextStrategy);
        Step(rows, Rows.Keep(7, "parallelism"), Inputs());
        Assert.Empty(SessionPolicy.Evaluate(rows, Inputs()).RotatedOut);
    }

    [Fact]
    public void Plateau_stops_when_the_top_three_are_non_optimizable_and_says_why()
    {
        RankedTarget[] ranking =
        [
            new("System.Text.Json.Read", null, 40, 40, "parsing", 1.67, false, "outside the repository (System.Text.Json)"),
            new("App.Tiny", "src/Tiny.cs", 1, 1.5, "compute", 1.01, true),
            new("App.Small", "src/Small.cs", 3, 3, "compute", 1.03, true),
            new("App.Later", "src/Later.cs", 1, 1, "compute", 1.01, true),
        ];
        var rows = new List<ResultRow> { Rows.Baseline() };
        Step(rows, Rows.Discard(1, "algorithm"), Inputs(ranking: ranking));
        Step(rows, Rows.Discard(2, "caching"), Inputs(ranking: ranking));
        var verdict = Step(rows, Rows.Discard(3, "loops"), Inputs(ranking: ranking)).Verdict;
        Assert.NotNull(verdict.Stop);
        Assert.Equal(PolicyEvents.Plateau, verdict.Stop.Rule);
        Assert.Contains("outside the repository", verdict.Stop.Why);
        Assert.Contains("under 2% of the profile", verdict.Stop.Why);
        Assert.Contains("at the measured floor", verdict.Stop.Why);
        Assert.Single(verdict.Events, e => e.Kind == PolicyEvents.Plateau);
    }

    [Fact]
    public void Plateau_check_continues_when_an_optimizable_candidate_is_left_or_there_is_no_ranking()
    {
        RankedTarget[] ranking = [new("App.Hot", "src/Hot.cs", 50, 60, "compute", 2.5, true)];
        var rows = new List<ResultRow> { Rows.Baseline(), Rows.Discard(1, "a"), Rows.Discard(2, "b"), Rows.Discard(3, "c") };
        var verdict = SessionPolicy.Evaluate(rows, Inputs(ranking: ranking));
        Assert.Null(verdict.Stop);
        Assert.Contains("App.Hot (60%): optimizable", Assert.Single(verdict.Events, e => e.Kind == PolicyEvents.PlateauCheck).Detail);
        Assert.Contains("no bottleneck ranking", Assert.Single(SessionPolicy.Evaluate(rows, Inputs()).Events).Detail);
    }

    [Fact]
    public void Stuck_recovery_at_five_discards_names_concrete_actions_then_stops_after_three_more()
    {
        var rows = new List<ResultRow> { Rows.Baseline(), Rows.Keep(1, "algorithm"), Rows.Keep(2, "data-structure") };
        string[] strategies = ["caching", "allocation", "loops", "parallelism", "runtime-knobs"];
        PolicyVerdict verdict = null!;
        for (var i = 0; i < 5; i++)
        {
            verdict = Step(rows, Rows.Discard(3 + i, strategies[i]), Inputs()).Verdict;
        }

        var stuck = Assert.Single(verdict.Events, e => e.Kind == PolicyEvents.Stuck);
        Assert.Contains("re-read the in-scope code", stuck.Detail);
        Assert.Contains("re-read results.tsv", stuck.Detail);
        Assert.Contains("combine 2 kept changes that may compound: keep 1 + keep 2", stuck.Detail);
        Assert.Contains("try the opposite", stuck.Detail);
        Assert.True(verdict.InStuckRecovery);
        Assert.Null(Step(rows, Rows.Discard(8, "algorithm"), Inputs()).Verdict.Stop);
        Assert.Null(Step(rows, Rows.Discard(9, "algorithm"), Inputs()).Verdict.Stop);
        verdict = Step(rows, Rows.Discard(10, "data-structure"), Inputs()).Verdict;
        Assert.Equal(PolicyEvents.Stuck, verdict.Stop?.Rule);
        Assert.Contains("Tried:", verdict.Stop!.Why);
        Assert.Single(verdict.Events, e => e.Kind == PolicyEvents.Stop);
    }

    [Fact]
    public void The_user_target_speedup_stops_the_session()
    {
        var rows = new List<ResultRow> { Rows.Baseline(), Rows.Keep(1, delta: -15), Rows.Keep(2, delta: -15) };
        var verdict = SessionPolicy.Evaluate(rows, Inputs() with { TargetSpeedup = 1.5 });
        Assert.Null(verdict.Stop);
        rows.Add(Rows.Keep(3, delta: -15));
        verdict = SessionPolicy.Evaluate(rows, Inputs() with { TargetSpeedup = 1.5 });
        Assert.Equal("target reached", verdict.Stop?.Rule);
        Assert.Equal(1 / (0.85 * 0.85 * 0.85), SessionPolicy.CumulativeSpeedup(rows.Where(r => r.Status == ExperimentStatus.Keep)), 9);
    }

    [Fact]
    public void Diminishing_returns_stop_after_three_small_keeps()
    {
        var rows = new List<ResultRow> { Rows.Baseline(), Rows.Keep(1, delta: -30), Rows.Keep(2, delta: -6), Rows.Keep(3, delta: -5.5) };
        Assert.Null(SessionPolicy.Evaluate(rows, Inputs()).Stop);
        rows.Add(Rows.Keep(4, delta: -7));
        Assert.Equal("diminishing returns", SessionPolicy.Evaluate(rows, Inputs()).Stop?.Rule);
    }

    [Fact]
    public void Cumulative_stall_and_budgets_stop_the_session()
    {
        var rows = new List<ResultRow> { Rows.Baseline(), Rows.Keep(1, delta: -1) };
        for (var i = 2; i <= 10; i++)
        {
            rows.Add(Rows.Discard(i, $"s{i}"));
        }

        var settings = new PolicySettings { StuckAfter = 100, PlateauAfter = 100, RotateAfter = 100 };
        Assert.Equal("cumulative stall", SessionPolicy.Evaluate(rows, Inputs(settings)).Stop?.Rule);
        var few = rows.Take(4).ToList();
        Assert.Equal("budget", SessionPolicy.Evaluate(few, Inputs(settings) with { MaxExperiments = 3 }).Stop?.Rule);
        Assert.Equal("budget", SessionPolicy.Evaluate(few, Inputs(settings) with { MaxMinutes = 1, Elapsed = TimeSpan.FromMinutes(2) }).Stop?.Rule);
        Assert.Null(SessionPolicy.Evaluate(few, Inputs(settings) with { MaxMinutes = 5, Elapsed = TimeSpan.FromMinutes(2) }).Stop);
    }

    [Fact]
    public void A_milestone_is_due_every_n_keeps_once()
    {
        var settings = new PolicySettings { MilestoneEvery = 3 };
        var rows = new List<ResultRow> { Rows.Baseline(), Rows.Keep(1), Rows.Keep(2) };
        Assert.False(SessionPolicy.Evaluate(rows, Inputs(settings)).MilestoneDue);
        rows.Add(Rows.Keep(3));
        Assert.True(SessionPolicy.Evaluate(rows, Inputs(settings)).MilestoneDue);
        rows.Add(new PolicyEvent(PolicyEvents.Milestone, "", "v1", "v1").ToRow(3, DateTimeOffset.UnixEpoch, "cpu", "wall_ms"));
        Assert.False(SessionPolicy.Evaluate(rows, Inputs(settings)).MilestoneDue);
        rows.Add(Rows.Discard(4));
        Assert.False(SessionPolicy.Evaluate(rows, Inputs(settings)).MilestoneDue);
    }

    [Fact]
    public void Only_the_current_session_counts()
    {
        var rows = new List<ResultRow> { Rows.Baseline(0), Rows.Discard(1), Rows.Discard(2), Rows.Discard(3), Rows.Discard(4), Rows.Baseline(5), Rows.Discard(6) };
        var session = SessionPolicy.CurrentSession(rows);
        Assert.Equal(2, session.Count);
        Assert.Equal(1, SessionPolicy.Evaluate(session, Inputs()).ConsecutiveDiscards);
    }
}
