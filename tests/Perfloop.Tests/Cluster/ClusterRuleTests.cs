using Perfloop.Cluster;
using Perfloop.Journal;

namespace Perfloop.Tests.Cluster;

public class ClusterRuleTests
{
    static readonly DateTimeOffset Now = DateTimeOffset.UnixEpoch;

    static ClusterJournal Queue(int candidates, int jobs) =>
        ClusterJournal.Start("r1", "patches", jobs, "h0", Enumerable.Range(0, candidates).Select(i => new JobCandidate(i, $"{i:D4}.patch", $"/shared/{i:D4}.patch")).ToList(), Now);

    static ClusterJournal Submit(ClusterJournal journal, int index, string? baseCommit = null, JobPurpose purpose = JobPurpose.Evaluate) =>
        journal.Submitting(index, purpose, baseCommit ?? journal.Head, Now).Submitted(index, $"{index}{journal.Candidates[index].Attempts.Count}");

    static ClusterJournal Finish(ClusterJournal journal, int index, ExperimentStatus status, string reason = "why") =>
        journal.Finished(index, journal.Candidates[index].Attempts.Count - 1, new JobFinish(status, reason));

    static ClusterJournal Apply(ClusterJournal journal, ClusterAction action, string? commit = null)
    {
        var decide = Assert.IsType<DecideAction>(action);
        return journal.Deciding(decide.Index, decide.Decision).Decided(decide.Index, decide.Index + 1, decide.Decision.Status == ExperimentStatus.Keep ? commit : null);
    }

    [Fact]
    public void Up_to_the_job_limit_candidates_are_submitted_in_queue_order_against_head()
    {
        var journal = Queue(5, 3);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(new SubmitAction(i, JobPurpose.Evaluate, "h0"), ClusterRule.Next(journal));
            journal = Submit(journal, i);
        }

        Assert.Equal(new WaitAction(3), ClusterRule.Next(journal));
    }

    [Fact]
    public void A_later_candidate_that_finished_first_waits_for_the_ones_before_it()
    {
        var journal = Submit(Submit(Queue(3, 2), 0), 1);
        journal = Finish(journal, 1, ExperimentStatus.Keep);
        // Candidate 1 is done but candidate 0 is not: its slot goes to candidate 2, and nothing is decided.
        Assert.Equal(new SubmitAction(2, JobPurpose.Evaluate, "h0"), ClusterRule.Next(journal));
        journal = Submit(journal, 2);
        Assert.Equal(new WaitAction(2), ClusterRule.Next(journal));

        journal = Finish(journal, 0, ExperimentStatus.Discard, "no significant improvement");
        var first = Assert.IsType<DecideAction>(ClusterRule.Next(journal));
        Assert.Equal((0, ExperimentStatus.Discard, "no significant improvement"), (first.Index, first.Decision.Status, first.Decision.Reason));
        journal = Apply(journal, first);

        // Candidate 0 discarded: HEAD did not move, so candidate 1's keep was measured on HEAD and stands.
        var second = Assert.IsType<DecideAction>(ClusterRule.Next(journal));
        Assert.Equal((1, ExperimentStatus.Keep), (second.Index, second.Decision.Status));
    }

    [Fact]
    public void A_keep_measured_before_an_earlier_keep_is_checked_then_reverified_on_the_new_head_before_it_is_kept()
    {
        var journal = Submit(Submit(Submit(Queue(4, 3), 0), 1), 2);
        journal = Finish(Finish(journal, 0, ExperimentStatus.Keep), 1, ExperimentStatus.Keep, "improved -12%");
        journal = Apply(journal, ClusterRule.Next(journal), commit: "h1");
        Assert.Equal("h1", journal.Head);

        Assert.Equal(new CheckApplyAction(1, "h1"), ClusterRule.Next(journal));
        journal = journal.Checked(1, new ApplyCheck("h1", null));

        // Two jobs in flight (2 and nothing else) of 3: the free slot goes to the re-verification, not to candidate 3.
        Assert.Equal(new SubmitAction(1, JobPurpose.Reverify, "h1"), ClusterRule.Next(journal));
        journal = Submit(journal, 1, "h1", JobPurpose.Reverify);
        Assert.Equal(new SubmitAction(3, JobPurpose.Evaluate, "h1"), ClusterRule.Next(journal));
        journal = Submit(journal, 3);
        Assert.IsType<WaitAction>(ClusterRule.Next(journal));

        journal = Finish(journal, 1, ExperimentStatus.Keep, "improved -11%");
        var keep = Assert.IsType<DecideAction>(ClusterRule.Next(journal));
        Assert.Equal(ExperimentStatus.Keep, keep.Decision.Status);
        Assert.Equal(1, keep.Decision.Attempt);
        Assert.StartsWith("improved -11% (re-verified on h1", keep.Decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stale_keep_that_no_longer_applies_is_discarded_without_a_job()
    {
        var journal = Finish(Finish(Submit(Submit(Queue(2, 2), 0), 1), 0, ExperimentStatus.Keep), 1, ExperimentStatus.Keep);
        journal = Apply(journal, ClusterRule.Next(journal), commit: "h1");
        journal = journal.Checked(1, new ApplyCheck("h1", "error: patch failed: src/A.cs:12"));
        var discard = Assert.IsType<DecideAction>(ClusterRule.Next(journal));
        Assert.Equal(ExperimentStatus.Discard, discard.Decision.Status);
        Assert.Equal(-1, discard.Decision.Attempt);
        Assert.StartsWith("patch does not apply: error: patch failed: src/A.cs:12", discard.Decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_apply_check_against_an_older_head_is_done_again()
    {
        var journal = Finish(Submit(Queue(1, 1), 0), 0, ExperimentStatus.Keep) with { Head = "h2" };
        journal = journal.Checked(0, new ApplyCheck("h1", null));
        Assert.Equal(new CheckApplyAction(0, "h2"), ClusterRule.Next(journal));
    }

    [Theory]
    [InlineData(ExperimentStatus.Discard)]
    [InlineData(ExperimentStatus.Crash)]
    public void A_discard_or_crash_is_final_whatever_base_it_was_measured_on(ExperimentStatus status)
    {
        var journal = Finish(Finish(Submit(Submit(Queue(2, 2), 0), 1), 0, ExperimentStatus.Keep), 1, status, "slurm job 7 ended TIMEOUT (TimeLimit)");
        journal = Apply(journal, ClusterRule.Next(journal), commit: "h1");
        var decide = Assert.IsType<DecideAction>(ClusterRule.Next(journal));
        Assert.Equal((1, status, "slurm job 7 ended TIMEOUT (TimeLimit)"), (decide.Index, decide.Decision.Status, decide.Decision.Reason));
    }

    [Fact]
    public void A_reverification_waits_for_a_free_slot_and_takes_it_before_any_new_candidate()
    {
        var journal = Submit(Submit(Queue(4, 2), 0), 1);
        journal = Finish(Finish(journal, 0, ExperimentStatus.Keep), 1, ExperimentStatus.Keep);
        journal = Apply(journal, ClusterRule.Next(journal), commit: "h1");
        journal = Submit(journal, 2);
        journal = Submit(journal, 3);
        journal = journal.Checked(1, new ApplyCheck("h1", null));
        Assert.Equal(new WaitAction(2), ClusterRule.Next(journal));
        journal = Finish(journal, 3, ExperimentStatus.Discard);
        Assert.Equal(new SubmitAction(1, JobPurpose.Reverify, "h1"), ClusterRule.Next(journal));
    }

    [Fact]
    public void A_failed_reverification_says_so()
    {
        var journal = Finish(Submit(Queue(1, 1), 0), 0, ExperimentStatus.Keep) with { Head = "h1" };
        journal = Submit(journal.Checked(0, new ApplyCheck("h1", null)), 0, "h1", JobPurpose.Reverify);
        journal = Finish(journal, 0, ExperimentStatus.Discard, "no significant improvement: -1.2%");
        var decide = Assert.IsType<DecideAction>(ClusterRule.Next(journal));
        Assert.Equal(ExperimentStatus.Discard, decide.Decision.Status);
        Assert.Equal("re-verified on h1 after the changes kept since: no significant improvement: -1.2%", decide.Decision.Reason);
    }

    [Fact]
    public void A_decision_journaled_but_not_applied_is_finished_first_and_the_run_ends_when_all_are_applied()
    {
        var journal = Finish(Submit(Queue(1, 1), 0), 0, ExperimentStatus.Keep);
        var decide = Assert.IsType<DecideAction>(ClusterRule.Next(journal));
        journal = journal.Deciding(0, decide.Decision);
        Assert.Equal(decide, ClusterRule.Next(journal));
        journal = journal.Decided(0, 7, "h1");
        Assert.Equal("h1", journal.Head);
        Assert.Equal(7, journal.Candidates[0].Decision!.Experiment);
        Assert.IsType<DoneAction>(ClusterRule.Next(journal));
        Assert.True(journal.IsDone);
    }

    /// <summary>
    /// The promise of the rule: with effects that add up, the cluster keeps exactly what the serial loop keeps, in the
    /// same order, whatever the number of nodes and however the durations interleave; and every candidate gets one row,
    /// in queue order.
    /// </summary>
    [Fact]
    public void On_any_number_of_nodes_the_kept_set_is_the_serial_one()
    {
        int reverified = 0, noLongerApplied = 0;
        foreach (var seed in Enumerable.Range(1, 150))
        {
            var queue = ClusterSimulator.RealisticQueue(25, seed);
            var serial = ClusterSimulator.SerialKept(queue, 5);
            foreach (var nodes in new[] { 1, 2, 3, 5, 8, 16 })
            {
                var outcome = ClusterSimulator.Run(queue, nodes, 5, submitToStartSeconds: 1, endToSeenSeconds: 2);
                Assert.True(serial.SequenceEqual(outcome.Kept), $"seed {seed}, {nodes} nodes: kept {string.Join(",", outcome.Kept)}, serial {string.Join(",", serial)}");
                Assert.Equal(queue.Select(c => c.Key), outcome.Rows.Select(r => r.Summary));
                if (nodes == 1)
                {
                    Assert.Equal(0, outcome.Reverifications);
                    Assert.Equal(queue.Count, outcome.Jobs);
                }

                reverified += outcome.Reverifications;
                noLongerApplied += outcome.NoLongerApplied;
            }
        }

        // The stale-evidence paths were exercised, not just the easy ones.
        Assert.True(reverified > 100, $"only {reverified} re-verifications");
        Assert.True(noLongerApplied > 20, $"only {noLongerApplied} stale keeps that no longer applied");
    }

    [Fact]
    public void More_nodes_finish_a_realistic_queue_sooner()
    {
        var queue = ClusterSimulator.RealisticQueue(40, 7);
        var serial = ClusterSimulator.Run(queue, 1, 5).WallSeconds;
        Assert.Equal(queue.Sum(c => c.Seconds), serial, 6);
        Assert.True(ClusterSimulator.Run(queue, 8, 5).WallSeconds < serial / 3);
    }
}

public class ClusterStatusTests
{
    [Fact]
    public void Status_lists_the_jobs_in_flight_with_the_schedulers_state()
    {
        var journal = ClusterJournal.Start("r1", "/patches", 2, "0123456789abcdef", [new JobCandidate(0, "a.patch", "/a"), new JobCandidate(1, "b.patch", "/b"), new JobCandidate(2, "c.patch", "/c")], DateTimeOffset.UnixEpoch)
            .Submitting(0, JobPurpose.Evaluate, "0123456789abcdef", DateTimeOffset.UnixEpoch).Submitted(0, "41")
            .Finished(0, 0, new JobFinish(ExperimentStatus.Keep, "improved"))
            .Deciding(0, new CandidateDecision(ExperimentStatus.Keep, "improved")).Decided(0, 1, "fedcba9876543210")
            .Submitting(1, JobPurpose.Reverify, "fedcba9876543210", DateTimeOffset.UnixEpoch).Submitted(1, "42")
            .Submitting(2, JobPurpose.Evaluate, "fedcba9876543210", DateTimeOffset.UnixEpoch);
        var status = ClusterRunStatus.Of(journal, new Dictionary<string, JobStatus> { ["42"] = new("42", "RUNNING", JobPhase.Running, "", "n3") });
        Assert.Equal(
            [
                "cluster run r1 over /patches: 1/3 decided (1 kept), 2 of 2 jobs in flight",
                "  b.patch: re-verification on fedcba987654, job 42 RUNNING on n3, submitted 1970-01-01 00:00:00Z",
                "  c.patch: evaluation on fedcba987654, job ? SUBMITTING, submitted 1970-01-01 00:00:00Z",
            ],
            status.Lines());
    }
}
