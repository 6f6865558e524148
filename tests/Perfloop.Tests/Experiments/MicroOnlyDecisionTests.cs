using Perfloop.Experiments;
using Perfloop.Micro;
using Perfloop.Statistics;

namespace Perfloop.Tests.Experiments;

/// <summary>The spec's micro-only branch: whole program unchanged, micro-benchmark improved, target on a hot path.</summary>
public class MicroOnlyDecisionTests
{
    static VerdictResult Result(Verdict verdict, double delta, double low, double high, double threshold, bool worse = false, bool better = false) =>
        new(verdict, new RatioEstimate(1 + (delta / 100), 1 + (low / 100), 1 + (high / 100), 0.95, 12), threshold, worse, better);

    static readonly VerdictResult WholeUnchanged = Result(Verdict.Equivalent, -1, -3, 1, 5);
    static readonly VerdictResult MicroImproved = Result(Verdict.Improved, -40, -45, -35, 10, better: true);
    static readonly HotPathEvidence Hot = new(36.2, 5, "measured: Demo.PrimeScanner.PrimesUpTo in .perfloop/bottlenecks.json");
    static readonly HotPathEvidence Cold = new(1.7, 5, "measured: Demo.TextStats.Compute in .perfloop/bottlenecks.json");

    static Evidence Evidence(VerdictResult? metric = null, VerdictResult? micro = null, HotPathEvidence? hot = null, GuardOutcome guard = GuardOutcome.Passed) => new()
    {
        Metric = metric ?? WholeUnchanged,
        Micro = micro ?? MicroImproved,
        HotPath = hot,
        Guard = guard,
        GuardFailure = "1 test failed",
    };

    [Fact]
    public void A_micro_gain_on_a_hot_path_is_kept_and_says_which_source_decided()
    {
        var decision = KeepDiscardDecision.Decide(Evidence(hot: Hot));
        Assert.Equal(DecisionAction.Keep, decision.Action);
        Assert.Contains("micro-benchmark improved −40.0%", decision.Reason);
        Assert.Contains("36.2% of the benchmark's profile (measured: Demo.PrimeScanner.PrimesUpTo", decision.Reason);
    }

    [Fact]
    public void A_micro_gain_on_a_cold_path_is_discarded_with_the_share()
    {
        var decision = KeepDiscardDecision.Decide(Evidence(hot: Cold));
        Assert.Equal(DecisionAction.Discard, decision.Action);
        Assert.Contains("holds only 1.7% of the benchmark's profile", decision.Reason);
        Assert.Contains("below the 5% hot-path share", decision.Reason);
    }

    [Fact]
    public void Without_any_share_the_hot_path_is_not_confirmed()
    {
        var decision = KeepDiscardDecision.Decide(Evidence(hot: new HotPathEvidence(null, 5, "no profile ranking, no profileSharePct and no Impact estimate give the target's share")));
        Assert.Equal(DecisionAction.Discard, decision.Action);
        Assert.Contains("not on a confirmed hot path: no profile ranking", decision.Reason);
    }

    [Fact]
    public void The_guard_runs_before_a_micro_only_keep_and_only_then()
    {
        Assert.True(KeepDiscardDecision.GuardNeeded(Evidence(hot: Hot, guard: GuardOutcome.NotRun)));
        Assert.False(KeepDiscardDecision.GuardNeeded(Evidence(hot: Cold, guard: GuardOutcome.NotRun)));
        Assert.Equal(DecisionAction.Crash, KeepDiscardDecision.Decide(Evidence(hot: Hot, guard: GuardOutcome.NotRun)).Action);
        Assert.StartsWith("guard failure", KeepDiscardDecision.Decide(Evidence(hot: Hot, guard: GuardOutcome.Failed)).Reason);
    }

    [Fact]
    public void A_micro_gain_inside_the_micro_threshold_does_not_count()
    {
        var small = Result(Verdict.Inconclusive, -8, -12, -4, 10, better: true);
        var decision = KeepDiscardDecision.Decide(Evidence(micro: small, hot: Hot));
        Assert.Equal(DecisionAction.Discard, decision.Action);
        Assert.StartsWith("no significant improvement", decision.Reason);
    }

    [Fact]
    public void A_whole_program_slowdown_is_a_regression_whatever_the_micro_benchmark_says()
    {
        var slower = Result(Verdict.Equivalent, 2, 1, 3, 5, worse: true);
        var decision = KeepDiscardDecision.Decide(Evidence(metric: slower, hot: Hot));
        Assert.StartsWith("regression", decision.Reason);
    }

    [Fact]
    public void Every_combination_of_whole_micro_hot_and_guard_ends_in_one_reasoned_action()
    {
        VerdictResult[] wholes =
        [
            Result(Verdict.Improved, -30, -33, -27, 5, better: true),
            Result(Verdict.Regressed, 20, 10, 30, 5, worse: true),
            WholeUnchanged,
            Result(Verdict.Equivalent, 2, 1, 3, 5, worse: true),
            Result(Verdict.Equivalent, -3, -4, -2, 5, better: true),
            Result(Verdict.Inconclusive, -3, -9, 2, 5),
            Result(Verdict.Inconclusive, 3, 1, 8, 5, worse: true),
        ];
        VerdictResult?[] micros =
        [
            null, MicroImproved, Result(Verdict.Regressed, 30, 20, 40, 10, worse: true),
            Result(Verdict.Equivalent, 0, -2, 2, 10), Result(Verdict.Inconclusive, -8, -12, -4, 10, better: true),
        ];
        HotPathEvidence?[] hots = [null, Hot, Cold, new HotPathEvidence(null, 5, "unknown"), new HotPathEvidence(5, 5, "exactly at the share")];
        var count = 0;
        foreach (var whole in wholes)
        {
            foreach (var micro in micros)
            {
                foreach (var hot in hots)
                {
                    foreach (var guard in Enum.GetValues<GuardOutcome>())
                    {
                        foreach (var reworks in new[] { 0, 2 })
                        {
                            var evidence = new Evidence { Metric = whole, Micro = micro, HotPath = hot, Guard = guard, GuardFailure = "g", ReworksLeft = reworks };
                            var decision = KeepDiscardDecision.Decide(evidence);
                            Assert.False(string.IsNullOrWhiteSpace(decision.Reason));
                            var microOnlyKeep = whole.Verdict is Verdict.Equivalent or Verdict.Inconclusive && !whole.SignificantlyWorse
                                && micro?.Verdict == Verdict.Improved && hot is { IsHot: true };
                            if (decision.Action == DecisionAction.Keep)
                            {
                                Assert.True(whole.Verdict == Verdict.Improved || microOnlyKeep, decision.Reason);
                                Assert.True(guard is GuardOutcome.Passed or GuardOutcome.Waived);
                            }

                            if (microOnlyKeep || whole.Verdict == Verdict.Improved)
                            {
                                // Whatever can lead to a KEEP gets the guard first.
                                Assert.True(KeepDiscardDecision.GuardNeeded(evidence));
                            }
                            else
                            {
                                Assert.False(KeepDiscardDecision.GuardNeeded(evidence));
                                Assert.NotEqual(DecisionAction.Keep, decision.Action);
                            }

                            count++;
                        }
                    }
                }
            }
        }

        Assert.Equal(7 * 5 * 5 * 4 * 2, count);
    }
}
