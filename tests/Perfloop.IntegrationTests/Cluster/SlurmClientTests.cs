using Perfloop.Cluster;
using Perfloop.Errors;

namespace Perfloop.IntegrationTests.Cluster;

/// <summary>
/// The Slurm client against the real one-node cluster (scripts/slurm-local.sh): every state a candidate's job can end
/// in, as Slurm itself reports it. Nothing here depends on the machine's load except how long the waits last, which are
/// bounded generously.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SlurmClientTests : IDisposable
{
    readonly string directory;
    readonly SlurmClient client;
    readonly List<string> submitted = [];

    public SlurmClientTests()
    {
        LocalSlurmCluster.Require();
        // Jobs run as this user on the node; the directory must be readable and writable by the job (it is: same machine, same user).
        directory = Directory.CreateTempSubdirectory("perfloop-slurm-").FullName;
        client = LocalSlurmCluster.Client(directory);
    }

    public void Dispose()
    {
        // No test leaves a job behind, whatever it asserted.
        foreach (var id in submitted)
        {
            client.CancelAsync(id, CancellationToken.None).GetAwaiter().GetResult();
        }

        Directory.Delete(directory, recursive: true);
    }

    async Task<string> SubmitAsync(string name, string body, string timeLimit = "2", bool exclusive = true)
    {
        var script = LocalSlurmCluster.JobScript(directory, $"{name}.sh", body);
        var id = await client.SubmitAsync(new SlurmSubmission(script, $"perfloop-test-{name}", Path.Combine(directory, $"{name}.log"), timeLimit)
        {
            Partition = LocalSlurmCluster.Partition,
            Exclusive = exclusive,
            ScriptArguments = [Path.Combine(directory, $"{name}.out")],
        }, CancellationToken.None);
        submitted.Add(id);
        return id;
    }

    [Fact]
    public async Task A_job_runs_on_the_node_and_its_result_file_is_there_when_it_completes()
    {
        var id = await SubmitAsync("ok", "echo \"job $SLURM_JOB_ID on $(hostname -s)\" > \"$1.tmp\" && mv \"$1.tmp\" \"$1\"");
        var status = await LocalSlurmCluster.WaitAsync(client, id, s => s.IsOver, TimeSpan.FromMinutes(2));
        Assert.Equal((JobPhase.Succeeded, "COMPLETED"), (status.Phase, status.State));
        Assert.Equal($"job {id} on {System.Net.Dns.GetHostName().Split('.')[0]}", File.ReadAllText(Path.Combine(directory, "ok.out")).Trim());
        Assert.NotNull(status.StartedAt);
        Assert.True(status.EndedAt >= status.StartedAt);
    }

    [Fact]
    public async Task Two_exclusive_jobs_never_share_the_node()
    {
        var first = await SubmitAsync("first", "sleep 30");
        await LocalSlurmCluster.WaitAsync(client, first, s => s.Phase == JobPhase.Running, TimeSpan.FromMinutes(1));
        var second = await SubmitAsync("second", "true");
        await Task.Delay(TimeSpan.FromSeconds(3));
        var waiting = (await client.QueryAsync([second], CancellationToken.None))[second];
        // The node has 2+ cores and the first job uses none of them, yet the second waits for the whole node.
        Assert.Equal((JobPhase.Queued, "PENDING"), (waiting.Phase, waiting.State));
        Assert.Contains(waiting.Reason, new[] { "Resources", "Priority" });

        await client.CancelAsync(first, CancellationToken.None);
        var after = await LocalSlurmCluster.WaitAsync(client, second, s => s.IsOver, TimeSpan.FromMinutes(1));
        Assert.Equal(JobPhase.Succeeded, after.Phase);
    }

    [Fact]
    public async Task A_cancelled_job_ends_cancelled_and_cancelling_it_again_is_harmless()
    {
        var id = await SubmitAsync("cancel", "echo started > \"$1\"; sleep 300");
        await LocalSlurmCluster.WaitAsync(client, id, s => s.Phase == JobPhase.Running, TimeSpan.FromMinutes(1));
        await client.CancelAsync(id, CancellationToken.None);
        var status = await LocalSlurmCluster.WaitAsync(client, id, s => s.IsOver, TimeSpan.FromMinutes(1));
        Assert.Equal((JobPhase.Failed, "CANCELLED"), (status.Phase, status.State));
        await client.CancelAsync(id, CancellationToken.None);
        Assert.Equal("CANCELLED", (await client.QueryAsync([id], CancellationToken.None))[id].State);
    }

    [Fact]
    public async Task A_failing_job_ends_failed_with_slurms_reason()
    {
        var id = await SubmitAsync("fail", "echo 'about to fail'; exit 3");
        var status = await LocalSlurmCluster.WaitAsync(client, id, s => s.IsOver, TimeSpan.FromMinutes(1));
        Assert.Equal("FAILED (NonZeroExitCode)", status.Describe());
        Assert.Contains("about to fail", File.ReadAllText(Path.Combine(directory, "fail.log")), StringComparison.Ordinal);
    }

    /// <summary>Slurm enforces time limits in whole minutes and checks them about every 30 s: this takes 60–100 s.</summary>
    [Fact]
    public async Task A_job_over_its_time_limit_ends_timeout()
    {
        var id = await SubmitAsync("timeout", "sleep 600", timeLimit: "0:05");
        var status = await LocalSlurmCluster.WaitAsync(client, id, s => s.IsOver, TimeSpan.FromMinutes(4));
        Assert.Equal("TIMEOUT (TimeLimit)", status.Describe());
        Assert.Equal(JobPhase.Failed, status.Phase);
        Assert.Contains("DUE TO TIME LIMIT", File.ReadAllText(Path.Combine(directory, "timeout.log")), StringComparison.Ordinal);
    }

    /// <summary>
    /// slurmd stopped under a running job: the job's own processes keep going (slurmstepd is separate), the controller
    /// stops hearing from the node, and after SlurmdTimeout (10 s in the local cluster's config) it marks the node down
    /// and the job NODE_FAIL (NodeDown). When slurmd comes back, it kills the orphaned job: nothing is left behind.
    /// </summary>
    [Fact]
    public async Task A_job_whose_slurmd_stopped_ends_node_fail_and_leaves_nothing_behind()
    {
        var id = await SubmitAsync("nodefail", "echo $$ > \"$1.tmp\" && mv \"$1.tmp\" \"$1\"; exec sleep 600");
        await LocalSlurmCluster.WaitAsync(client, id, s => s.Phase == JobPhase.Running, TimeSpan.FromMinutes(1));
        var pidFile = Path.Combine(directory, "nodefail.out");
        for (var i = 0; i < 100 && !File.Exists(pidFile); i++)
        {
            await Task.Delay(100);
        }

        var jobPid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            await LocalSlurmCluster.StopSlurmdAsync();
            var status = await LocalSlurmCluster.WaitAsync(client, id, s => s.IsOver, TimeSpan.FromMinutes(3));
            Assert.Equal("NODE_FAIL (NodeDown)", status.Describe());
            Assert.Equal(JobPhase.Failed, status.Phase);
        }
        finally
        {
            LocalSlurmCluster.Up();
        }

        await client.CancelAsync(id, CancellationToken.None);
        for (var i = 0; i < 100 && Directory.Exists($"/proc/{jobPid}"); i++)
        {
            await Task.Delay(100);
        }

        Assert.False(Directory.Exists($"/proc/{jobPid}"), $"the job's process {jobPid} outlived the node failure");
        Assert.Equal("NODE_FAIL", (await client.QueryAsync([id], CancellationToken.None))[id].State);
    }

    [Fact]
    public async Task A_job_slurm_refuses_is_one_clear_error_and_an_unknown_id_is_unknown()
    {
        var script = LocalSlurmCluster.JobScript(directory, "refused.sh", "true");
        var error = await Assert.ThrowsAsync<PerfloopException>(() => client.SubmitAsync(
            new SlurmSubmission(script, "perfloop-test-refused", Path.Combine(directory, "refused.log"), "1") { Partition = "no-such-partition" }, CancellationToken.None));
        Assert.Equal("sbatch refused the job perfloop-test-refused: invalid partition specified: no-such-partition; Batch job submission failed: Invalid partition name specified", error.Message);

        var unknown = await client.QueryAsync(["999999"], CancellationToken.None);
        Assert.Equal(JobPhase.Unknown, unknown["999999"].Phase);
    }
}
