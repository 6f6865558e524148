using Perfloop.Journal;

namespace Perfloop.Cluster;

/// <summary>How a job ended, as the coordinator will record it: the row's status and reason.</summary>
/// <param name="Status">keep (the evidence supports keeping it on the job's base), discard or crash.</param>
/// <param name="Reason">The job's own reason, or the scheduler's ("slurm job 12 TIMEOUT (TimeLimit)").</param>
public sealed record JobFinish(ExperimentStatus Status, string Reason)
{
    /// <summary>The job's result file, when it wrote one (its row and artifacts).</summary>
    public string? Result { get; init; }

    /// <summary>The scheduler's last word on the job, e.g. <c>COMPLETED</c> or <c>NODE_FAIL (NodeDown)</c>.</summary>
    public string SchedulerState { get; init; } = "";

    public DateTimeOffset FinishedAt { get; init; }
}

/// <summary>One job of the run: a candidate evaluated (or re-verified) against one base commit.</summary>
public sealed record JobAttempt
{
    public required JobPurpose Purpose { get; init; }

    /// <summary>The commit the candidate is applied to and measured against.</summary>
    public required string Base { get; init; }

    /// <summary>The job's name at the scheduler, unique per attempt, so a job whose id was never journaled can be found.</summary>
    public required string Name { get; init; }

    /// <summary>The scheduler's id; null between the journal write and the scheduler's answer.</summary>
    public string? JobId { get; init; }

    public DateTimeOffset SubmittedAt { get; init; }

    /// <summary>Null while the job is in flight.</summary>
    public JobFinish? Finish { get; init; }

    public bool InFlight => Finish is null;
}

/// <summary>Whether a candidate measured on an older base still applies on the current HEAD (the same check as the serial loop's).</summary>
/// <param name="Head">The HEAD it was checked against.</param>
/// <param name="Problem">Why it does not apply; null when it applies.</param>
public sealed record ApplyCheck(string Head, string? Problem);

/// <summary>The coordinator's decision on a candidate; <see cref="Applied"/> once its commit and row exist.</summary>
public sealed record CandidateDecision(ExperimentStatus Status, string Reason)
{
    /// <summary>The attempt whose evidence decided it; -1 when no job ran (the patch no longer applies).</summary>
    public int Attempt { get; init; } = -1;

    /// <summary>False from the moment the decision is journaled until its commit and row are written: a coordinator killed in between finishes it on resume.</summary>
    public bool Applied { get; init; }

    /// <summary>The experiment number of its row, once applied.</summary>
    public int? Experiment { get; init; }

    /// <summary>The KEEP's commit, once applied.</summary>
    public string? Commit { get; init; }
}

/// <summary>One candidate of the queue and everything that happened to it.</summary>
public sealed record QueuedCandidate
{
    public required JobCandidate Candidate { get; init; }

    public IReadOnlyList<JobAttempt> Attempts { get; init; } = [];

    public ApplyCheck? ApplyCheck { get; init; }

    public CandidateDecision? Decision { get; init; }

    public bool IsDecided => Decision is { Applied: true };

    public JobAttempt? LastAttempt => Attempts.Count == 0 ? null : Attempts[^1];
}

/// <summary>
/// <c>perfloop.cluster-journal/v1</c> (<c>.perfloop/cluster/jobs.json</c>): the coordinator's whole state, rewritten
/// atomically after every change — submitted and finished jobs with their ids, applicability checks, decisions. The
/// decision rule (<see cref="ClusterRule"/>) is a function of this record alone, so a coordinator killed at any point
/// resumes from it: finished jobs are never submitted again, jobs still running are followed again.
/// </summary>
public sealed record ClusterJournal
{
    public const string SchemaName = "perfloop.cluster-journal/v1";

    public string Schema { get; init; } = SchemaName;

    /// <summary>Names the run: job names and result files carry it.</summary>
    public required string Run { get; init; }

    /// <summary>What the candidates come from (the patch folder); a run over the same source resumes this journal.</summary>
    public required string Source { get; init; }

    /// <summary>Candidates evaluated at once.</summary>
    public required int Jobs { get; init; }

    /// <summary>The branch's HEAD as the coordinator last set or saw it.</summary>
    public required string Head { get; init; }

    public required IReadOnlyList<QueuedCandidate> Candidates { get; init; }

    public DateTimeOffset StartedAt { get; init; }

    public IEnumerable<(int Index, int Attempt, JobAttempt Job)> InFlight() =>
        Candidates.SelectMany((c, i) => c.Attempts.Select((a, n) => (i, n, a))).Where(x => x.a.InFlight).Select(x => (x.i, x.n, x.a));

    public bool IsDone => Candidates.All(c => c.IsDecided);

    public static ClusterJournal Start(string run, string source, int jobs, string head, IReadOnlyList<JobCandidate> candidates, DateTimeOffset now) => new()
    {
        Run = run,
        Source = source,
        Jobs = jobs,
        Head = head,
        StartedAt = now,
        Candidates = candidates.Select((c, i) => new QueuedCandidate { Candidate = c with { Index = i } }).ToList(),
    };

    /// <summary>The scheduler's job name for attempt <paramref name="attempt"/> of candidate <paramref name="index"/>.</summary>
    public string JobName(int index, int attempt) => $"perfloop-{Run}-{index:D3}-{attempt}";

    /// <summary>Journals a job about to be submitted (no id yet).</summary>
    public ClusterJournal Submitting(int index, JobPurpose purpose, string baseCommit, DateTimeOffset now) =>
        With(index, c => c with
        {
            Attempts = [.. c.Attempts, new JobAttempt { Purpose = purpose, Base = baseCommit, Name = JobName(index, c.Attempts.Count), SubmittedAt = now }],
        });

    /// <summary>Records the scheduler's id of the candidate's latest attempt.</summary>
    public ClusterJournal Submitted(int index, string jobId) =>
        With(index, c => c with { Attempts = [.. c.Attempts.Take(c.Attempts.Count - 1), c.Attempts[^1] with { JobId = jobId }] });

    /// <summary>Forgets the candidate's latest attempt: its job was never submitted, or was cancelled to be submitted again later.</summary>
    public ClusterJournal WithoutLastAttempt(int index) =>
        With(index, c => c with { Attempts = c.Attempts.Take(c.Attempts.Count - 1).ToList() });

    public ClusterJournal Finished(int index, int attempt, JobFinish finish) =>
        With(index, c => c with { Attempts = c.Attempts.Select((a, n) => n == attempt ? a with { Finish = finish } : a).ToList() });

    public ClusterJournal Checked(int index, ApplyCheck check) => With(index, c => c with { ApplyCheck = check });

    /// <summary>Journals a decision before its commit and row are written.</summary>
    public ClusterJournal Deciding(int index, CandidateDecision decision) => With(index, c => c with { Decision = decision with { Applied = false } });

    /// <summary>The decision's commit and row exist; a KEEP moves the journal's HEAD to its commit.</summary>
    public ClusterJournal Decided(int index, int experiment, string? commit)
    {
        var decision = Candidates[index].Decision ?? throw new InvalidOperationException($"candidate {index} has no decision to complete");
        var next = With(index, c => c with { Decision = decision with { Applied = true, Experiment = experiment, Commit = commit } });
        return decision.Status == ExperimentStatus.Keep && commit is not null ? next with { Head = commit } : next;
    }

    ClusterJournal With(int index, Func<QueuedCandidate, QueuedCandidate> change)
    {
        var candidates = Candidates.ToList();
        candidates[index] = change(candidates[index]);
        return this with { Candidates = candidates };
    }
}
