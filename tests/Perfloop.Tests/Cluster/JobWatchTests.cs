using Perfloop.Cluster;
using Perfloop.Journal;

namespace Perfloop.Tests.Cluster;

public class JobWatchTests
{
    static readonly DateTimeOffset Start = new(2026, 11, 30, 5, 0, 0, TimeSpan.Zero);
    static readonly JobAttempt Attempt = new() { Purpose = JobPurpose.Evaluate, Base = "abc123", Name = "perfloop-r1-002-0", JobId = "42" };
    static readonly TimeSpan Limit = TimeSpan.FromMinutes(10);

    static JobStatus Status(string state, string reason = "", DateTimeOffset? started = null) =>
        new("42", state, SlurmOutput.PhaseOf(state), reason, "n7") { StartedAt = started ?? Start };

    static JobWatchOutcome Look(JobObservation observation, DateTimeOffset now, DateTimeOffset? overSince = null) =>
        JobWatch.Look(Attempt, "slurm", "r1", observation, Limit, overSince, now);

    static ClusterJobResult Result(string run = "r1", string job = "perfloop-r1-002-0", string commit = "abc123") => new()
    {
        Run = run,
        Job = job,
        Commit = commit,
        Row = new ResultRow { Experiment = 5, Timestamp = Start, Domain = "cpu", Status = ExperimentStatus.Keep, Reason = "improved: -12.0% (CI -13.1…-10.2%)" },
    };

    [Fact]
    public void The_jobs_own_result_decides_even_before_the_scheduler_calls_it_over()
    {
        var outcome = Look(new JobObservation(Status("RUNNING"), Result(), null, ""), Start.AddMinutes(1));
        Assert.Equal(JobWatchAction.Finish, outcome.Action);
        Assert.Equal((ExperimentStatus.Keep, "improved: -12.0% (CI -13.1…-10.2%)", "RUNNING"), (outcome.Finish!.Status, outcome.Finish.Reason, outcome.Finish.SchedulerState));
    }

    [Theory]
    [InlineData("r0", "perfloop-r1-002-0", "abc123")]
    [InlineData("r1", "perfloop-r1-003-0", "abc123")]
    [InlineData("r1", "perfloop-r1-002-0", "def456")]
    public void A_result_of_another_run_job_or_base_is_never_taken(string run, string job, string commit)
    {
        var outcome = Look(new JobObservation(Status("COMPLETED"), Result(run, job, commit), null, ""), Start.AddMinutes(1));
        Assert.Equal(ExperimentStatus.Crash, outcome.Finish!.Status);
        Assert.Contains("for another job", outcome.Finish.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("TIMEOUT", "TimeLimit", "slurm job 42 ended TIMEOUT (TimeLimit) on n7; its log ends: step 3 of 5")]
    [InlineData("NODE_FAIL", "NodeDown", "slurm job 42 ended NODE_FAIL (NodeDown) on n7; its log ends: step 3 of 5")]
    [InlineData("CANCELLED", "", "slurm job 42 ended CANCELLED on n7; its log ends: step 3 of 5")]
    [InlineData("FAILED", "NonZeroExitCode", "slurm job 42 ended FAILED (NonZeroExitCode) on n7; its log ends: step 3 of 5")]
    public void A_job_the_scheduler_ended_without_a_result_is_a_crash_in_the_schedulers_words(string state, string reason, string expected)
    {
        var outcome = Look(new JobObservation(Status(state, reason), null, null, "step 3 of 5"), Start.AddMinutes(2));
        Assert.Equal(JobWatchAction.Finish, outcome.Action);
        Assert.Equal((ExperimentStatus.Crash, expected), (outcome.Finish!.Status, outcome.Finish.Reason));
    }

    [Fact]
    public void A_completed_job_gets_time_for_its_result_to_show_on_the_shared_filesystem()
    {
        var observation = new JobObservation(Status("COMPLETED"), null, null, "");
        Assert.True(JobWatch.IsOverWithoutResult(observation));
        Assert.Equal(JobWatchAction.Wait, Look(observation, Start.AddMinutes(2)).Action);
        Assert.Equal(JobWatchAction.Wait, Look(observation, Start.AddMinutes(2), overSince: Start.AddMinutes(2).AddSeconds(-30)).Action);
        var late = Look(observation, Start.AddMinutes(2), overSince: Start.AddMinutes(1));
        Assert.Equal(ExperimentStatus.Crash, late.Finish!.Status);
        Assert.Contains("ended COMPLETED but wrote no result within 60 s", late.Finish.Reason, StringComparison.Ordinal);

        var gone = Look(new JobObservation(JobStatus.NotKnown("42"), null, null, ""), Start.AddMinutes(2), overSince: Start);
        Assert.Equal("slurm no longer knows slurm job 42 and it wrote no result", gone.Finish!.Reason);
    }

    [Fact]
    public void A_job_running_far_past_its_time_limit_is_cancelled_so_the_wait_is_bounded()
    {
        var running = new JobObservation(Status("RUNNING"), null, null, "");
        Assert.Equal(JobWatchAction.Wait, Look(running, Start + Limit + TimeSpan.FromMinutes(4)).Action);
        var overrun = Look(running, Start + Limit + TimeSpan.FromMinutes(6));
        Assert.Equal(JobWatchAction.CancelAndFinish, overrun.Action);
        Assert.Equal(ExperimentStatus.Crash, overrun.Finish!.Status);
        Assert.Contains("still RUNNING on n7 16 min after it started, past its 10 min time limit; cancelled", overrun.Finish.Reason, StringComparison.Ordinal);

        // Waiting in the queue is not running: a busy cluster may keep a job pending for long.
        Assert.Equal(JobWatchAction.Wait, Look(new JobObservation(Status("PENDING", "Resources") with { StartedAt = null }, null, null, ""), Start.AddHours(5)).Action);
    }

    [Fact]
    public void A_damaged_result_is_a_crash_naming_the_problem()
    {
        var outcome = Look(new JobObservation(Status("COMPLETED"), null, "result.json: not a valid ClusterJobResult", ""), Start.AddMinutes(1));
        Assert.Equal("slurm job 42 wrote a result that cannot be read: result.json: not a valid ClusterJobResult", outcome.Finish!.Reason);
    }
}
