using Perfloop.Cluster;
using Perfloop.Errors;
using Perfloop.Journal;

namespace Perfloop.Tests.Cluster;

public sealed class ClusterCoordinatorTests : IDisposable
{
    readonly string directory = Directory.CreateTempSubdirectory("perfloop-coordinator-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    ClusterLayout Layout => new(Path.Combine(directory, "repo"), Path.Combine(directory, "shared"));

    ClusterRunOptions Options(IReadOnlyList<SimulatedCandidate> queue, int jobs, string source = "patches")
    {
        var patches = Path.Combine(directory, source);
        Directory.CreateDirectory(patches);
        foreach (var c in queue)
        {
            File.WriteAllText(Path.Combine(patches, c.Key), $"Subject: {c.Key}\n");
        }

        return new ClusterRunOptions
        {
            Source = patches,
            Candidates = queue.Select((c, i) => new JobCandidate(i, c.Key, Path.Combine(patches, c.Key)) { Summary = c.Key }).ToList(),
            Jobs = jobs,
            ThresholdPct = 5,
            Methodology = ClusterJsonTests.SampleMethodology(),
            ResultPollInterval = TimeSpan.FromMilliseconds(1),
            SchedulerPollInterval = TimeSpan.Zero,
        };
    }

    ClusterCoordinator Coordinator<T>(T cluster)
        where T : ICandidateExecutor, IClusterRepository, IClusterDecisions, Perfloop.Reporting.ILoopReporter =>
        new(cluster, cluster, cluster, Layout, cluster, TimeProvider.System);

    static IReadOnlyList<SimulatedCandidate> Queue(int seed, int count = 12) => ClusterSimulator.RealisticQueue(count, seed);

    [Fact]
    public async Task A_queue_through_the_cluster_keeps_what_the_serial_loop_keeps_with_one_row_each_in_queue_order()
    {
        foreach (var seed in new[] { 3, 11, 19 })
        {
            var queue = Queue(seed);
            var cluster = new FakeCluster(queue);
            var journal = await Coordinator(cluster).RunAsync(Options(queue, 4, $"patches-{seed}"), CancellationToken.None);

            Assert.True(journal.IsDone);
            Assert.Equal(ClusterSimulator.SerialKept(queue, 5), cluster.Rows.Where(r => r.Status == ExperimentStatus.Keep).Select(r => r.Summary));
            Assert.Equal(queue.Select(c => c.Key), cluster.Rows.Select(r => r.Summary));
            Assert.Equal(Enumerable.Range(1, queue.Count), cluster.Rows.Select(r => r.Experiment));
            Assert.Equal(journal.Head, cluster.Head);
            Assert.True(cluster.Jobs.GroupBy(j => (j.Request.Candidate.Index, j.Request.Repository.Commit)).All(g => g.Count() == 1), "a candidate was evaluated twice on one base");
            Assert.Equal(journal, ClusterJson.Read<ClusterJournal>(Layout.Journal) is { } saved ? saved with { Candidates = journal.Candidates } : null);
        }
    }

    /// <summary>
    /// The coordinator killed at every single call it makes (submit, sbatch's answer, queue look, cancel, find, bundle,
    /// apply check, commit, row), then run again over the same queue: it ends with the serial loop's kept set, one row
    /// and at most one commit per candidate, and no job submitted twice for one candidate and base.
    /// </summary>
    [Fact]
    public async Task Killed_at_any_point_the_next_run_resumes_without_losing_or_repeating_anything()
    {
        var queue = Queue(5, 6);
        var serial = ClusterSimulator.SerialKept(queue, 5);
        var kills = 0;
        for (var killAt = 1; ; killAt++)
        {
            Directory.Delete(directory, recursive: true);
            Directory.CreateDirectory(directory);
            var cluster = new FakeCluster(queue) { KillAt = killAt };
            var options = Options(queue, 3);
            try
            {
                await Coordinator(cluster).RunAsync(options, CancellationToken.None);
            }
            catch (KilledException)
            {
                kills++;
            }

            if (kills < killAt)
            {
                // The run got through every call without reaching this kill point: all points were tried.
                break;
            }

            cluster.KillAt = 0;
            var journal = await Coordinator(cluster).RunAsync(options, CancellationToken.None);

            var where = $"killed at call {killAt}";
            Assert.True(journal.IsDone, where);
            Assert.True(serial.SequenceEqual(cluster.Rows.Where(r => r.Status == ExperimentStatus.Keep).Select(r => r.Summary)), $"{where}: kept {string.Join(",", cluster.Rows.Where(r => r.Status == ExperimentStatus.Keep).Select(r => r.Summary))}, serial {string.Join(",", serial)}; rows {string.Join(" / ", cluster.Rows.Select(r => r.Summary + " " + r.Status + " " + r.Reason))}");
            Assert.True(queue.Select(c => c.Key).SequenceEqual(cluster.Rows.Select(r => r.Summary)), $"{where}: rows {string.Join(",", cluster.Rows.Select(r => r.Summary))}");
            Assert.True(cluster.Jobs.GroupBy(j => (j.Request.Candidate.Index, j.Request.Repository.Commit)).All(g => g.Count() == 1), $"{where}: a job was submitted twice");
            Assert.Empty(cluster.Cancelled);
        }

        Assert.True(kills > 20, $"only {kills} kill points were reached");
    }

    [Fact]
    public async Task A_job_the_scheduler_failed_is_a_crash_row_with_its_reason()
    {
        var queue = Queue(2, 3);
        var cluster = new FakeCluster(queue) { Failure = r => r.Candidate.Index == 1 ? ("TIMEOUT", "TimeLimit") : null };
        await Coordinator(cluster).RunAsync(Options(queue, 2), CancellationToken.None);
        var row = cluster.Rows[1];
        Assert.Equal(ExperimentStatus.Crash, row.Status);
        Assert.StartsWith($"slurm job {cluster.Jobs.Single(j => j.Request.Candidate.Index == 1).Id} ended TIMEOUT (TimeLimit) on n1", row.Reason, StringComparison.Ordinal);
        Assert.Equal(3, cluster.Rows.Count);
    }

    [Fact]
    public async Task A_run_over_another_queue_cancels_the_jobs_the_unfinished_one_left_running()
    {
        var queue = Queue(4, 6);
        var cluster = new FakeCluster(queue) { Duration = _ => 1000, KillAt = 12 };
        await Assert.ThrowsAsync<KilledException>(() => Coordinator(cluster).RunAsync(Options(queue, 3, "first"), CancellationToken.None));
        var running = cluster.Jobs.Where(j => j.State is "PENDING" or "RUNNING").Select(j => j.Id).ToList();
        Assert.Equal(3, running.Count);

        // The next run is over another queue (here: the first two candidates from another folder) on the same cluster.
        cluster.KillAt = 0;
        cluster.Duration = _ => 1;
        await Coordinator(cluster).RunAsync(Options(queue.Take(2).ToList(), 1, "second"), CancellationToken.None);
        Assert.Equal(running, cluster.Cancelled);
        Assert.Contains(cluster.Lines, l => l.Contains("is abandoned: cancelled slurm jobs", StringComparison.Ordinal));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(Layout.Journal)!, "jobs-*.json"));
    }

    [Fact]
    public async Task Interrupted_it_cancels_its_jobs_and_a_resumed_run_submits_them_again()
    {
        var queue = Queue(6, 4);
        var cluster = new FakeCluster(queue) { Duration = _ => 1_000_000 };
        using var interrupt = new CancellationTokenSource();
        var options = Options(queue, 2);
        var run = Coordinator(cluster).RunAsync(options, interrupt.Token);
        while (cluster.Jobs.Count < 2)
        {
            await Task.Delay(5);
        }

        await interrupt.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Equal(cluster.Jobs.Select(j => j.Id), cluster.Cancelled);
        Assert.Empty(ClusterJson.Read<ClusterJournal>(Layout.Journal)!.InFlight());

        cluster.Duration = _ => 1;
        await Coordinator(cluster).RunAsync(options, CancellationToken.None);
        Assert.Equal(4, cluster.Rows.Count);
        Assert.Equal(6, cluster.Jobs.Count(j => j.State == "COMPLETED") + cluster.Jobs.Count(j => j.State == "CANCELLED"));
    }

    [Fact]
    public async Task A_refused_submission_is_an_error_and_leaves_no_job_journaled()
    {
        var queue = Queue(8, 2);
        var cluster = new RefusingCluster(queue);
        var error = await Assert.ThrowsAsync<PerfloopException>(() => Coordinator(cluster).RunAsync(Options(queue, 1), CancellationToken.None));
        Assert.Contains("invalid partition", error.Message, StringComparison.Ordinal);
        Assert.Empty(ClusterJson.Read<ClusterJournal>(Layout.Journal)!.InFlight());
    }

    [Fact]
    public void A_job_logs_last_lines_are_one_line()
    {
        var log = Path.Combine(directory, "job.log");
        File.WriteAllText(log, "perfloop job x on n1\n\nbuilding\nerror CS1002: ; expected\nslurmstepd: error: *** JOB 9 ON n1 CANCELLED ***\n");
        Assert.Equal("building | error CS1002: ; expected | slurmstepd: error: *** JOB 9 ON n1 CANCELLED ***", ClusterCoordinator.LogTail(log));
        Assert.Equal("", ClusterCoordinator.LogTail(Path.Combine(directory, "none.log")));
    }

    sealed class RefusingCluster(IReadOnlyList<SimulatedCandidate> queue) : ICandidateExecutor, IClusterRepository, IClusterDecisions, Perfloop.Reporting.ILoopReporter
    {
        readonly FakeCluster inner = new(queue);

        public string Name => "slurm";

        public TimeSpan TimeLimit => TimeSpan.FromMinutes(1);

        public Task<string> SubmitAsync(ClusterJobRequest request, string jobDirectory, CancellationToken cancellationToken) =>
            throw new PerfloopException("sbatch refused the job x: invalid partition specified: nosuch", ExitCodes.Failure);

        public Task<IReadOnlyDictionary<string, JobStatus>> QueryAsync(IReadOnlyCollection<string> jobIds, CancellationToken cancellationToken) => inner.QueryAsync(jobIds, cancellationToken);

        public Task CancelAsync(string jobId, CancellationToken cancellationToken) => inner.CancelAsync(jobId, cancellationToken);

        public Task<string?> FindAsync(string jobName, CancellationToken cancellationToken) => inner.FindAsync(jobName, cancellationToken);

        public Task<string> HeadAsync(CancellationToken cancellationToken) => inner.HeadAsync(cancellationToken);

        public Task<string?> ApplyProblemAsync(string patch, CancellationToken cancellationToken) => inner.ApplyProblemAsync(patch, cancellationToken);

        public Task WriteBundleAsync(string commit, string path, CancellationToken cancellationToken) => inner.WriteBundleAsync(commit, path, cancellationToken);

        public int NextExperimentNumber() => inner.NextExperimentNumber();

        public Task<AppliedDecision> ApplyAsync(QueuedCandidate candidate, CandidateDecision decision, int experiment, ClusterJobResult? evidence, CancellationToken cancellationToken) =>
            inner.ApplyAsync(candidate, decision, experiment, evidence, cancellationToken);

        public void Status(string line)
        {
        }

        public void Detail(string line)
        {
        }
    }
}
