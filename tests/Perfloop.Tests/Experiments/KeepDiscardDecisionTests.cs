using Perfloop.Experiments;
using Perfloop.Statistics;

namespace Perfloop.Tests.Experiments;

public class KeepDiscardDecisionTests
{
    static VerdictResult Metric(Verdict verdict, double delta, double low, double high, bool worse = false, bool better = false) =>
        new(verdict, new RatioEstimate(1 + (delta / 100), 1 + (low / 100), 1 + (high / 100), 0.95, 10), 5, worse, better);

    static readonly VerdictResult Improved = Metric(Verdict.Improved, -30, -33, -27, better: true);

    [Fact]
    public void Output_mismatch_is_discarded_before_anything_else()
    {
        var decision = KeepDiscardDecision.Decide(new Evidence { Early = CheckDecision.Decide(new CheckEvidence { Paths = ["a.c"], OutputDifference = "stdout differs at line 2" }), Metric = Improved, Guard = GuardOutcome.Passed });
        Assert.Equal(DecisionAction.Discard, decision.Action);
        Assert.StartsWith("output mismatch: stdout differs at line 2", decision.Reason);
    }

    [Fact]
    public void A_crashed_benchmark_is_a_crash()
    {
        var decision = KeepDiscardDecision.Decide(new Evidence { BenchmarkFailure = "candidate run exit code 134" });
        Assert.Equal(DecisionAction.Crash, decision.Action);
        Assert.Contains("benchmark failed", decision.Reason);
    }

    [Fact]
    public void Improved_with_guard_passing_is_kept()
    {
        var decision = KeepDiscardDecision.Decide(new Evidence { Metric = Improved, Guard = GuardOutcome.Passed });
        Assert.Equal(DecisionAction.Keep, decision.Action);
        Assert.Contains("−30.0%", decision.Reason);
    }

    [Fact]
    public void Improved_without_a_configured_guard_is_kept()
    {
        Assert.Equal(DecisionAction.Keep, KeepDiscardDecision.Decide(new Evidence { Metric = Improved, Guard = GuardOutcome.Waived }).Action);
    }

    [Fact]
    public void Guard_failure_with_reworks_left_asks_for_a_rework()
    {
        var decision = KeepDiscardDecision.Decide(new Evidence { Metric = Improved, Guard = GuardOutcome.Failed, GuardFailure = "2 tests failed", ReworksLeft = 2 });
        Assert.Equal(DecisionAction.Rework, decision.Action);
    }

    [Fact]
    public void Guard_failure_without_reworks_left_is_discarded()
    {
        var decision = KeepDiscardDecision.Decide(new Evidence { Metric = Improved, Guard = GuardOutcome.Failed, GuardFailure = "2 tests failed", ReworksLeft = 0 });
        Assert.Equal(DecisionAction.Discard, decision.Action);
        Assert.Equal("guard failure: 2 tests failed", decision.Reason);
    }

    [Fact]
    public void An_improvement_whose_configured_guard_never_ran_is_not_kept()
    {
        Assert.NotEqual(DecisionAction.Keep, KeepDiscardDecision.Decide(new Evidence { Metric = Improved, Guard = GuardOutcome.NotRun }).Action);
    }

    [Fact]
    public void Regression_is_discarded_as_regression()
    {
        var decision = KeepDiscardDecision.Decide(new Evidence { Metric = Metric(Verdict.Regressed, 30, 27, 33, worse: true) });
        Assert.Equal(DecisionAction.Discard, decision.Action);
        Assert.StartsWith("regression: +30.0%", decision.Reason);
    }

    [Fact]
    public void A_small_but_real_slowdown_inside_the_threshold_is_still_called_a_regression()
    {
        var decision = KeepDiscardDecision.Decide(new Evidence { Metric = Metric(Verdict.Equivalent, 2, 1, 3, worse: true) });
        Assert.StartsWith("regression:", decision.Reason);
    }

    [Fact]
    public void Equivalent_is_discarded_as_no_significant_improvement()
    {
        var decision = KeepDiscardDecision.Decide(new Evidence { Metric = Metric(Verdict.Equivalent, -0.5, -2, 1) });
        Assert.Equal(DecisionAction.Discard, decision.Action);
        Assert.StartsWith("no significant improvement", decision.Reason);
    }

    [Fact]
    public void A_real_improvement_below_the_threshold_is_discarded_as_below_threshold()
    {
        var decision = KeepDiscardDecision.Decide(new Evidence { Metric = Metric(Verdict.Equivalent, -3, -4, -2, better: true) });
        Assert.Equal(DecisionAction.Discard, decision.Action);
        Assert.StartsWith("below threshold", decision.Reason);
    }

    [Fact]
    public void Small_improvement_not_confirmed_beyond_threshold_is_discarded()
    {
        // The sequential test has already re-run it ("confirm small deltas"); it stayed below the threshold.
        var decision = KeepDiscardDecision.Decide(new Evidence { Metric = Metric(Verdict.Inconclusive, -4, -7, -1, better: true) });
        Assert.Equal(DecisionAction.Discard, decision.Action);
        Assert.StartsWith("not confirmed beyond the 5% threshold", decision.Reason);
    }

    [Fact]
    public void The_guard_runs_only_for_an_improvement_with_correct_output()
    {
        Assert.True(KeepDiscardDecision.GuardNeeded(new Evidence { Metric = Improved }));
        Assert.False(KeepDiscardDecision.GuardNeeded(new Evidence { Metric = Improved, Early = new EarlyOutcome(Perfloop.Journal.ExperimentStatus.Discard, "output mismatch: x") }));
        Assert.False(KeepDiscardDecision.GuardNeeded(new Evidence { Metric = Metric(Verdict.Equivalent, 0, -1, 1) }));
        Assert.False(KeepDiscardDecision.GuardNeeded(new Evidence { Metric = Improved, BenchmarkFailure = "x" }));
    }

    [Fact]
    public void Every_combination_ends_in_exactly_one_action_with_a_reason()
    {
        // Simulation over the whole input space: no combination throws or yields an empty reason.
        string?[] outputs = [null, "differs"];
        string?[] failures = [null, "crash"];
        VerdictResult?[] metrics = [null, Improved, Metric(Verdict.Regressed, 20, 10, 30, worse: true), Metric(Verdict.Equivalent, 0, -1, 1), Metric(Verdict.Inconclusive, -3, -9, 2)];
        var count = 0;
        foreach (var output in outputs)
        {
            foreach (var failure in failures)
            {
                foreach (var metric in metrics)
                {
                    foreach (var guard in Enum.GetValues<GuardOutcome>())
                    {
                        foreach (var reworks in new[] { 0, 1, 2 })
                        {
                            var decision = KeepDiscardDecision.Decide(new Evidence { Early = output is null ? null : new EarlyOutcome(Perfloop.Journal.ExperimentStatus.Discard, output), BenchmarkFailure = failure, Metric = metric, Guard = guard, GuardFailure = "g", ReworksLeft = reworks });
                            Assert.False(string.IsNullOrWhiteSpace(decision.Reason));
                            if (decision.Action == DecisionAction.Keep)
                            {
                                Assert.Null(output);
                                Assert.Null(failure);
                                Assert.Equal(Verdict.Improved, metric?.Verdict);
                                Assert.True(guard is GuardOutcome.Passed or GuardOutcome.Waived);
                            }

                            count++;
                        }
                    }
                }
            }
        }

        Assert.Equal(2 * 2 * 5 * 4 * 3, count);
    }

    [Fact]
    public void The_end_to_end_comparison_is_made_only_for_a_keep_and_contradicting_it_discards()
    {
        var keep = new Evidence { Metric = Improved, Guard = GuardOutcome.Passed };
        Assert.True(KeepDiscardDecision.EndToEndNeeded(keep));
        Assert.False(KeepDiscardDecision.EndToEndNeeded(keep with { Guard = GuardOutcome.Failed, GuardFailure = "x" }));
        Assert.Equal(DecisionAction.Keep, KeepDiscardDecision.Decide(keep with { EndToEnd = new(Perfloop.Compare.CompareVerdict.Better, "−30%") }).Action);
        foreach (var contradiction in new[] { Perfloop.Compare.CompareVerdict.Same, Perfloop.Compare.CompareVerdict.Worse, Perfloop.Compare.CompareVerdict.Failed })
        {
            var decision = KeepDiscardDecision.Decide(keep with { EndToEnd = new(contradiction, "no change") });
            Assert.Equal(DecisionAction.Discard, decision.Action);
            Assert.StartsWith("e2e contradicts the benchmark that kept it (improved", decision.Reason, StringComparison.Ordinal);
            Assert.False(KeepDiscardDecision.EndToEndNeeded(keep with { EndToEnd = new(contradiction, "no change") }));
        }
    }

    [Fact]
    public void A_candidate_whose_code_changed_Perfloop_s_own_files_is_never_kept()
    {
        var decision = KeepDiscardDecision.Decide(new Evidence { Metric = Improved, Guard = GuardOutcome.Passed, TrustedFiles = [new("conventions.md", "changed")] });
        Assert.Equal(DecisionAction.Discard, decision.Action);
        Assert.Contains("changed .perfloop/conventions.md", decision.Reason, StringComparison.Ordinal);
    }
}
