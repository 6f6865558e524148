using Perfloop.Cluster;
using Perfloop.Configuration;

namespace Perfloop.Tests.Cluster;

/// <summary>Parsing Slurm's output, on text captured from Slurm 22.05.8 (Debian 12's slurm-wlm) on a one-node cluster.</summary>
public class SlurmOutputTests
{
    /// <summary>
    /// <c>squeue --noheader --states=all --jobs=1,2,3,4,5,6,7,8,999 --format=%i|%T|%N|%V|%S|%e|%r</c>: a completed job, a
    /// cancelled one, a failed one (exit 3), a timed-out one, one whose node stopped answering, one running and one
    /// waiting for the node (job 999 does not exist, so it is not listed).
    /// </summary>
    const string Captured = """
        2|CANCELLED|vm|2026-11-30T04:52:00|2026-11-30T04:52:00|2026-11-30T04:52:02|None
        1|COMPLETED|vm|2026-11-30T04:51:41|2026-11-30T04:51:41|2026-11-30T04:51:43|None
        3|COMPLETED|vm|2026-11-30T04:52:00|2026-11-30T04:52:02|2026-11-30T04:52:04|None
        4|FAILED|vm|2026-11-30T04:52:00|2026-11-30T04:52:04|2026-11-30T04:52:04|NonZeroExitCode
        6|NODE_FAIL|vm|2026-11-30T04:54:25|2026-11-30T04:54:26|2026-11-30T04:55:16|NodeDown
        8|PENDING||2026-11-30T04:59:11|N/A|N/A|Resources
        7|RUNNING|vm|2026-11-30T04:59:11|2026-11-30T04:59:12|2026-11-30T05:04:12|None
        5|TIMEOUT|vm|2026-11-30T04:52:13|2026-11-30T04:52:14|2026-11-30T04:53:36|TimeLimit

        """;

    [Theory]
    [InlineData("1", "COMPLETED", JobPhase.Succeeded, "")]
    [InlineData("2", "CANCELLED", JobPhase.Failed, "")]
    [InlineData("4", "FAILED", JobPhase.Failed, "NonZeroExitCode")]
    [InlineData("5", "TIMEOUT", JobPhase.Failed, "TimeLimit")]
    [InlineData("6", "NODE_FAIL", JobPhase.Failed, "NodeDown")]
    [InlineData("7", "RUNNING", JobPhase.Running, "")]
    [InlineData("8", "PENDING", JobPhase.Queued, "Resources")]
    public void Squeue_lines_give_state_phase_and_reason(string id, string state, JobPhase phase, string reason)
    {
        var job = SlurmOutput.ParseSqueue(Captured)[id];
        Assert.Equal(state, job.State);
        Assert.Equal(phase, job.Phase);
        Assert.Equal(reason, job.Reason);
    }

    [Fact]
    public void Only_listed_jobs_are_known_and_times_are_kept_only_where_they_happened()
    {
        var jobs = SlurmOutput.ParseSqueue(Captured);
        Assert.Equal(8, jobs.Count);
        Assert.False(jobs.ContainsKey("999"));

        var timedOut = jobs["5"];
        Assert.Equal("TIMEOUT (TimeLimit)", timedOut.Describe());
        Assert.Equal(TimeSpan.FromSeconds(82), timedOut.EndedAt - timedOut.StartedAt);
        Assert.Equal(TimeSpan.FromSeconds(1), timedOut.StartedAt - timedOut.SubmittedAt);
        Assert.True(timedOut.IsOver);

        // A running job's %e is its projected end and a pending job's start is N/A: neither is an event that happened.
        Assert.Null(jobs["7"].EndedAt);
        Assert.NotNull(jobs["7"].StartedAt);
        Assert.Null(jobs["8"].StartedAt);
        Assert.Equal("", jobs["8"].Node);
        Assert.Equal("vm", jobs["6"].Node);
    }

    [Fact]
    public void A_reason_with_separators_stays_whole_and_garbage_lines_are_skipped()
    {
        var jobs = SlurmOutput.ParseSqueue("""
            slurm_load_jobs error: Unable to contact slurm controller (connect failure)
            41|PENDING||2026-11-30T05:00:00|N/A|N/A|ReqNodeNotAvail, UnavailableNodes:n[1-3]|x
            42|CANCELLED||2026-11-30T04:59:11|2026-11-30T04:59:13|2026-11-30T04:59:13|Resources
            """);
        Assert.Equal(["41", "42"], jobs.Keys.Order());
        Assert.Equal("ReqNodeNotAvail, UnavailableNodes:n[1-3]|x", jobs["41"].Reason);
        // Cancelled while it waited for the node: Slurm keeps the pending reason, which the description shows as is.
        Assert.Equal("CANCELLED (Resources)", jobs["42"].Describe());
    }

    [Theory]
    [InlineData("COMPLETING", JobPhase.Running)]
    [InlineData("CONFIGURING", JobPhase.Queued)]
    [InlineData("REQUEUED", JobPhase.Queued)]
    [InlineData("SUSPENDED", JobPhase.Running)]
    [InlineData("OUT_OF_MEMORY", JobPhase.Failed)]
    [InlineData("PREEMPTED", JobPhase.Failed)]
    [InlineData("BOOT_FAIL", JobPhase.Failed)]
    [InlineData("DEADLINE", JobPhase.Failed)]
    [InlineData("CANCELLED by 0", JobPhase.Failed)]
    [InlineData("SOME_NEW_STATE", JobPhase.Running)]
    public void Every_slurm_state_has_a_phase_and_an_unknown_one_keeps_the_coordinator_waiting(string state, JobPhase phase) =>
        Assert.Equal(phase, SlurmOutput.PhaseOf(state));

    [Theory]
    [InlineData("12\n", "12")]
    [InlineData("12;cluster2\n", "12")]
    [InlineData("sbatch: warning: something\n345\n", "345")]
    [InlineData("", null)]
    [InlineData("Submitted batch job 12\n", null)]
    public void Sbatch_parsable_output_gives_the_job_id(string stdout, string? id) => Assert.Equal(id, SlurmOutput.ParseSubmittedJobId(stdout));

    [Fact]
    public void Slurm_errors_become_one_line()
    {
        // sbatch --partition nosuch (captured)
        Assert.Equal("invalid partition specified: nosuch; Batch job submission failed: Invalid partition name specified",
            SlurmOutput.ErrorLine("sbatch: error: invalid partition specified: nosuch\nsbatch: error: Batch job submission failed: Invalid partition name specified\n"));
        Assert.Equal("Invalid --time specification", SlurmOutput.ErrorLine("sbatch: error: Invalid --time specification\n"));
        Assert.Equal("Slurm accounting storage is disabled", SlurmOutput.ErrorLine("Slurm accounting storage is disabled\n"));
        Assert.True(SlurmOutput.IsNoSuchJob("slurm_load_jobs error: Invalid job id specified\n"));
        Assert.False(SlurmOutput.IsNoSuchJob("slurm_load_jobs error: Unable to contact slurm controller (connect failure)\n"));
    }

    [Fact]
    public void Sbatch_arguments_take_a_whole_node_never_requeue_and_end_with_the_script()
    {
        var submission = new SlurmSubmission("/shared/run/job.sh", "perfloop-r1-003-0", "/shared/run/job.log", "01:30:00")
        {
            Partition = "bench",
            ExtraOptions = ["--account=perf", "--constraint=skylake"],
            ScriptArguments = ["/shared/run/request.json"],
            WorkingDirectory = "/shared/run",
        };
        Assert.Equal(
            ["--parsable", "--no-requeue", "--job-name=perfloop-r1-003-0", "--time=01:30:00", "--output=/shared/run/job.log", "--exclusive",
             "--partition=bench", "--chdir=/shared/run", "--account=perf", "--constraint=skylake", "/shared/run/job.sh", "/shared/run/request.json"],
            submission.SbatchArguments());
        Assert.DoesNotContain("--exclusive", (submission with { Exclusive = false, Partition = null }).SbatchArguments());
        Assert.DoesNotContain((submission with { Partition = null }).SbatchArguments(), a => a.StartsWith("--partition", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("30", 1800)]
    [InlineData("0:45", 45)]
    [InlineData("01:30:00", 5400)]
    [InlineData("2-0", 172800)]
    [InlineData("1-12:30", 131400)]
    [InlineData("1-00:00:10", 86410)]
    [InlineData(" 5 ", 300)]
    public void Slurm_time_limits_parse(string text, int seconds) => Assert.Equal(TimeSpan.FromSeconds(seconds), SlurmTimeLimit.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("00:00:00")]
    [InlineData("1h")]
    [InlineData("-5")]
    [InlineData("1:2:3:4")]
    [InlineData("UNLIMITED")]
    public void Anything_else_is_not_a_time_limit(string text) => Assert.Null(SlurmTimeLimit.Parse(text));

    [Fact]
    public void Slurm_enforces_whole_minutes() => Assert.Equal(TimeSpan.FromMinutes(1), SlurmTimeLimit.Enforced(TimeSpan.FromSeconds(5)));
}
