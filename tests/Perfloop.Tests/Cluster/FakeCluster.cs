using System.Globalization;
using Perfloop.Cluster;
using Perfloop.Journal;
using Perfloop.Reporting;

namespace Perfloop.Tests.Cluster;

/// <summary>Thrown by the fakes at a chosen call: the coordinator's process dies there (nothing after it runs).</summary>
sealed class KilledException : Exception;

/// <summary>
/// A simulated scheduler, repository and results table for <see cref="ClusterCoordinator"/>: jobs run for a number of
/// looks at the queue, then write the verdict their candidate has on their base (the model of
/// <see cref="ClusterSimulator"/>), or end the way a test says. Everything survives a "kill" of the coordinator, as a
/// real cluster and repository do. <see cref="KillAt"/> makes the Nth call into any fake throw.
/// </summary>
sealed class FakeCluster : ICandidateExecutor, IClusterRepository, IClusterDecisions, ILoopReporter
{
    readonly IReadOnlyList<SimulatedCandidate> queue;
    readonly double thresholdPct;
    readonly Dictionary<string, List<int>> keptAt = new() { ["h0"] = [] };
    int calls;

    public FakeCluster(IReadOnlyList<SimulatedCandidate> queue, double thresholdPct = 5)
    {
        this.queue = queue;
        this.thresholdPct = thresholdPct;
    }

    public sealed class Job
    {
        public required string Id { get; init; }

        public required ClusterJobRequest Request { get; init; }

        public int LooksLeft { get; set; }

        public string State { get; set; } = "PENDING";

        public string Reason { get; set; } = "";
    }

    public List<Job> Jobs { get; } = [];

    public List<string> Cancelled { get; } = [];

    public List<ResultRow> Rows { get; } = [];

    public List<string> Lines { get; } = [];

    public string Head { get; private set; } = "h0";

    /// <summary>The Nth call into any fake (1-based) throws <see cref="KilledException"/>; 0 never.</summary>
    public int KillAt { get; set; }

    /// <summary>How many looks at the queue a job stays running; varied per job so jobs finish out of order.</summary>
    public Func<int, int> Duration { get; set; } = index => 1 + ((index * 7) % 4);

    /// <summary>Overrides how a job ends: the scheduler's state and reason, no result.</summary>
    public Func<ClusterJobRequest, (string State, string Reason)?> Failure { get; set; } = _ => null;

    public string Name => "slurm";

    public TimeSpan TimeLimit => TimeSpan.FromMinutes(60);

    void Call()
    {
        if (++calls == KillAt)
        {
            throw new KilledException();
        }
    }

    public Task<string> SubmitAsync(ClusterJobRequest request, string jobDirectory, CancellationToken cancellationToken)
    {
        Call();
        var job = new Job { Id = (100 + Jobs.Count).ToString(CultureInfo.InvariantCulture), Request = request, LooksLeft = Duration(request.Candidate.Index) };
        Jobs.Add(job);
        Assert.True(File.Exists(request.Repository.Bundle), "the bundle is on the shared filesystem before the job is submitted");
        Assert.True(File.Exists(request.Candidate.Patch), "the patch is on the shared filesystem before the job is submitted");
        // sbatch answered; a kill right here loses the id, which the coordinator must find again by the job's name.
        Call();
        return Task.FromResult(job.Id);
    }

    public Task<IReadOnlyDictionary<string, JobStatus>> QueryAsync(IReadOnlyCollection<string> jobIds, CancellationToken cancellationToken)
    {
        Call();
        foreach (var job in Jobs.Where(j => j.State is "PENDING" or "RUNNING"))
        {
            job.State = "RUNNING";
            if (--job.LooksLeft <= 0)
            {
                Finish(job);
            }
        }

        IReadOnlyDictionary<string, JobStatus> answer = jobIds.ToDictionary(id => id, id => Jobs.FirstOrDefault(j => j.Id == id) is { } job
            ? new JobStatus(id, job.State, SlurmOutput.PhaseOf(job.State), job.Reason, "n1") { StartedAt = DateTimeOffset.UtcNow }
            : JobStatus.NotKnown(id));
        return Task.FromResult(answer);
    }

    void Finish(Job job)
    {
        if (Failure(job.Request) is { } failure)
        {
            (job.State, job.Reason) = failure;
            return;
        }

        job.State = "COMPLETED";
        var request = job.Request;
        var candidate = queue[request.Candidate.Index];
        var conflict = keptAt[request.Repository.Commit].FirstOrDefault(k => queue[k].Regions.Intersect(candidate.Regions).Any(), -1);
        var (status, reason) = conflict >= 0 ? (ExperimentStatus.Discard, $"patch does not apply: conflicts with {queue[conflict].Key}")
            : candidate.Crashes ? (ExperimentStatus.Crash, "build failed")
            : candidate.EffectPct <= -thresholdPct ? (ExperimentStatus.Keep, "improved")
            : (ExperimentStatus.Discard, "no significant improvement");
        ClusterJson.Write(request.Result, new ClusterJobResult
        {
            Run = request.Run,
            Job = request.Job,
            Commit = request.Repository.Commit,
            Host = "n1",
            Row = new ResultRow { Experiment = 0, Timestamp = DateTimeOffset.UnixEpoch, Domain = "cpu", Summary = candidate.Key, Status = status, Reason = reason, Commit = request.Repository.Commit },
        });
    }

    public Task CancelAsync(string jobId, CancellationToken cancellationToken)
    {
        Call();
        var job = Jobs.Single(j => j.Id == jobId);
        if (job.State is "PENDING" or "RUNNING")
        {
            job.State = "CANCELLED";
        }

        Cancelled.Add(jobId);
        return Task.CompletedTask;
    }

    public Task<string?> FindAsync(string jobName, CancellationToken cancellationToken)
    {
        Call();
        return Task.FromResult(Jobs.LastOrDefault(j => j.Request.Job == jobName)?.Id);
    }

    public Task<string> HeadAsync(CancellationToken cancellationToken) => Task.FromResult(Head);

    public Task<string?> ApplyProblemAsync(string patch, CancellationToken cancellationToken)
    {
        Call();
        var index = queue.ToList().FindIndex(c => patch.EndsWith(c.Key, StringComparison.Ordinal));
        var conflict = keptAt[Head].FirstOrDefault(k => queue[k].Regions.Intersect(queue[index].Regions).Any(), -1);
        return Task.FromResult(conflict >= 0 ? $"error: patch failed: conflicts with {queue[conflict].Key}" : null);
    }

    public Task WriteBundleAsync(string commit, string path, CancellationToken cancellationToken)
    {
        Call();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, commit);
        return Task.CompletedTask;
    }

    public int NextExperimentNumber() => Rows.Count == 0 ? 1 : Rows.Max(r => r.Experiment) + 1;

    public Task<AppliedDecision> ApplyAsync(QueuedCandidate candidate, CandidateDecision decision, int experiment, ClusterJobResult? evidence, CancellationToken cancellationToken)
    {
        Call();
        // Idempotent for one experiment number, as the interface asks: a commit and a row are made once.
        if (Rows.FirstOrDefault(r => r.Experiment == experiment) is { } done)
        {
            return Task.FromResult(new AppliedDecision(experiment, done.Status == ExperimentStatus.Keep ? done.Commit : null));
        }

        string? commit = null;
        if (decision.Status == ExperimentStatus.Keep && !keptAt.Keys.Any(h => h == $"h-{experiment}"))
        {
            Assert.Equal(evidence!.Commit, Head);
            commit = $"h-{experiment}";
            keptAt[commit] = [.. keptAt[Head], candidate.Candidate.Index];
            Head = commit;
            // Killed after the commit, before the row: the resumed coordinator must not commit again.
            Call();
        }
        else if (decision.Status == ExperimentStatus.Keep)
        {
            commit = $"h-{experiment}";
        }

        Rows.Add((evidence?.Row ?? new ResultRow { Experiment = 0, Timestamp = DateTimeOffset.UnixEpoch, Domain = "cpu", Summary = candidate.Candidate.Key, Status = decision.Status })
            with
        { Experiment = experiment, Status = decision.Status, Reason = decision.Reason, Commit = commit ?? Head, Summary = candidate.Candidate.Key });
        return Task.FromResult(new AppliedDecision(experiment, commit));
    }

    public void Status(string line) => Lines.Add(line);

    public void Detail(string line) => Lines.Add(line);
}
