using System.Globalization;
using Perfloop.Errors;
using Perfloop.Journal;
using Perfloop.Reporting;

namespace Perfloop.Cluster;

/// <summary>
/// Runs a queue of candidates as cluster jobs and decides them in queue order (<see cref="ClusterRule"/>). It is the
/// only writer of the branch and of results.tsv (through <see cref="IClusterDecisions"/>), and journals every step
/// before and after it acts (<see cref="ClusterJournal"/>), so:
/// <list type="bullet">
/// <item>killed at any point (kill -9, a lost machine), the next run over the same queue resumes: finished jobs are
/// never submitted again, jobs still queued or running are followed again, a job submitted but not yet journaled is
/// found by its unique name, a decision journaled but not applied is applied;</item>
/// <item>a run over another queue first cancels (scancel) the jobs the old run left in flight;</item>
/// <item>interrupted (Ctrl-C), it cancels its jobs in flight and forgets them, so a resumed run submits them again;</item>
/// <item>a job that failed, was cancelled, timed out or lost its node is a crash row with the scheduler's reason.</item>
/// </list>
/// </summary>
public sealed class ClusterCoordinator(
    ICandidateExecutor executor,
    IClusterRepository repository,
    IClusterDecisions decisions,
    ClusterLayout layout,
    ILoopReporter reporter,
    TimeProvider clock)
{
    readonly Dictionary<string, DateTimeOffset> overWithoutResultSince = new(StringComparer.Ordinal);
    IReadOnlyDictionary<string, JobStatus> lastStatuses = new Dictionary<string, JobStatus>();
    DateTimeOffset lastQuery = DateTimeOffset.MinValue;

    public async Task<ClusterJournal> RunAsync(ClusterRunOptions options, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Jobs, 1);
        var journal = await OpenAsync(options, cancellationToken);
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                switch (ClusterRule.Next(journal))
                {
                    case DoneAction:
                        var kept = journal.Candidates.Count(c => c.Decision!.Status == ExperimentStatus.Keep);
                        reporter.Status($"[cluster] run {journal.Run} done: {kept}/{journal.Candidates.Count} kept, {journal.Candidates.Sum(c => c.Attempts.Count)} jobs");
                        return journal;
                    case DecideAction decide:
                        journal = await DecideAsync(journal, decide);
                        break;
                    case CheckApplyAction check:
                        journal = await CheckAsync(journal, check, cancellationToken);
                        break;
                    case SubmitAction submit:
                        journal = await SubmitAsync(journal, options, submit, cancellationToken);
                        break;
                    case WaitAction:
                        journal = await WaitAsync(journal, options, cancellationToken);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await StopInFlightAsync(ClusterJson.Read<ClusterJournal>(layout.Journal) ?? journal);
            throw;
        }
    }

    async Task<ClusterJournal> OpenAsync(ClusterRunOptions options, CancellationToken cancellationToken)
    {
        var head = await repository.HeadAsync(cancellationToken);
        var previous = ClusterJson.Read<ClusterJournal>(layout.Journal);
        if (previous is { IsDone: false })
        {
            if (previous.Source == options.Source && previous.Candidates.Select(c => c.Candidate.Key).SequenceEqual(options.Candidates.Select(c => c.Key)))
            {
                var decided = previous.Candidates.Count(c => c.IsDecided);
                reporter.Status($"[cluster] resuming run {previous.Run} over {options.Source}: {decided}/{previous.Candidates.Count} decided, {previous.InFlight().Count()} jobs in flight are followed again, none is submitted twice");
                var resumed = await AdoptAsync(previous, cancellationToken) with { Jobs = options.Jobs };
                if (resumed.Head != head)
                {
                    reporter.Status($"[cluster] HEAD moved from {Short(resumed.Head)} to {Short(head)} while the run was stopped: keeps measured on the old HEAD are re-verified");
                    resumed = resumed with { Head = head };
                }

                return Save(resumed);
            }

            await AbandonAsync(previous, cancellationToken);
        }

        var now = clock.GetUtcNow();
        var run = string.Create(CultureInfo.InvariantCulture, $"{now:yyyyMMdd-HHmmss}-{Random.Shared.Next(0x10000):x4}");
        var journal = ClusterJournal.Start(run, options.Source, options.Jobs, head, options.Candidates, now);
        foreach (var file in options.StateFiles)
        {
            var target = Path.Combine(layout.State(run), Path.GetFileName(file));
            Directory.CreateDirectory(layout.State(run));
            File.Copy(file, target, overwrite: true);
        }

        reporter.Status($"[cluster] run {run}: {options.Candidates.Count} candidates, up to {options.Jobs} {executor.Name} jobs at once, decided in queue order on {Short(head)}");
        return Save(journal);
    }

    /// <summary>Jobs journaled without an id (killed between sbatch and the journal write) are found by name, or forgotten if never submitted.</summary>
    async Task<ClusterJournal> AdoptAsync(ClusterJournal journal, CancellationToken cancellationToken)
    {
        foreach (var (index, _, job) in journal.InFlight().Where(j => j.Job.JobId is null).ToList())
        {
            journal = await executor.FindAsync(job.Name, cancellationToken) is { } id
                ? journal.Submitted(index, id)
                : journal.WithoutLastAttempt(index);
        }

        return journal;
    }

    /// <summary>Another queue replaces an unfinished run: its jobs in flight are cancelled, its journal kept beside.</summary>
    async Task AbandonAsync(ClusterJournal previous, CancellationToken cancellationToken)
    {
        var cancelled = await CancelAllAsync(previous, cancellationToken);
        var archive = Path.Combine(Path.GetDirectoryName(layout.Journal)!, $"jobs-{previous.Run}.json");
        File.Move(layout.Journal, archive, overwrite: true);
        reporter.Status($"[cluster] the unfinished run {previous.Run} over {previous.Source} is abandoned: {(cancelled.Count == 0 ? "no job was in flight" : $"cancelled {executor.Name} jobs {string.Join(", ", cancelled)}")}; its journal is {archive}");
    }

    /// <summary>Ctrl-C: the jobs in flight are cancelled and forgotten, so a resumed run submits them again.</summary>
    async Task StopInFlightAsync(ClusterJournal journal)
    {
        var cancelled = await CancelAllAsync(journal, CancellationToken.None);
        foreach (var index in journal.InFlight().Select(j => j.Index).Distinct().ToList())
        {
            journal = journal.WithoutLastAttempt(index);
        }

        Save(journal);
        if (cancelled.Count > 0)
        {
            reporter.Status($"[cluster] interrupted: cancelled {executor.Name} jobs {string.Join(", ", cancelled)}; the next run over this queue submits them again");
        }
    }

    async Task<List<string>> CancelAllAsync(ClusterJournal journal, CancellationToken cancellationToken)
    {
        var cancelled = new List<string>();
        foreach (var (_, _, job) in journal.InFlight().ToList())
        {
            if ((job.JobId ?? await executor.FindAsync(job.Name, cancellationToken)) is { } id)
            {
                await executor.CancelAsync(id, cancellationToken);
                cancelled.Add(id);
            }
        }

        return cancelled;
    }

    /// <summary>Journaled before it acts, applied without interruption (a commit and a row take a moment), journaled again after.</summary>
    async Task<ClusterJournal> DecideAsync(ClusterJournal journal, DecideAction decide)
    {
        var candidate = journal.Candidates[decide.Index];
        var decision = decide.Decision;
        if (candidate.Decision is not { Applied: false, Experiment: not null })
        {
            decision = decision with { Experiment = decisions.NextExperimentNumber() };
            journal = Save(journal.Deciding(decide.Index, decision));
        }
        else
        {
            decision = candidate.Decision;
        }

        var evidence = decision.Attempt >= 0 && candidate.Attempts[decision.Attempt].Finish?.Result is { } path ? ClusterJson.Read<ClusterJobResult>(path) : null;
        var applied = await decisions.ApplyAsync(journal.Candidates[decide.Index], decision, decision.Experiment!.Value, evidence, CancellationToken.None);
        journal = Save(journal.Decided(decide.Index, applied.Experiment, applied.Commit));
        var word = ResultRow.StatusWord(decision.Status).ToUpperInvariant();
        reporter.Status($"[experiment {applied.Experiment}] {word}{(decision.Status == ExperimentStatus.Keep ? "" : $" — {decision.Reason}")} ({candidate.Candidate.Key})");
        return journal;
    }

    async Task<ClusterJournal> CheckAsync(ClusterJournal journal, CheckApplyAction check, CancellationToken cancellationToken)
    {
        var head = await repository.HeadAsync(cancellationToken);
        if (head != check.Head)
        {
            throw new PerfloopException($"the branch moved to {Short(head)} while the cluster run {journal.Run} was deciding on {Short(check.Head)}; only the coordinator may commit during a run: run it again to resume", ExitCodes.Failure);
        }

        var candidate = journal.Candidates[check.Index].Candidate;
        var problem = await repository.ApplyProblemAsync(candidate.Patch, cancellationToken);
        reporter.Detail($"[cluster] {candidate.Key} was measured on an older HEAD; on {Short(head)} it {(problem is null ? "still applies: re-verifying it there" : $"no longer applies ({problem})")}");
        return Save(journal.Checked(check.Index, new ApplyCheck(check.Head, problem)));
    }

    async Task<ClusterJournal> SubmitAsync(ClusterJournal journal, ClusterRunOptions options, SubmitAction submit, CancellationToken cancellationToken)
    {
        var run = journal.Run;
        var candidate = journal.Candidates[submit.Index].Candidate;
        var bundle = layout.Bundle(run, submit.Base);
        if (!File.Exists(bundle))
        {
            await repository.WriteBundleAsync(submit.Base, bundle, cancellationToken);
        }

        var patch = layout.Patch(run, candidate);
        if (!File.Exists(patch))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(patch)!);
            File.Copy(candidate.Patch, patch + ".tmp", overwrite: true);
            File.Move(patch + ".tmp", patch, overwrite: true);
        }

        journal = Save(journal.Submitting(submit.Index, submit.Purpose, submit.Base, clock.GetUtcNow()));
        var name = journal.Candidates[submit.Index].LastAttempt!.Name;
        var request = new ClusterJobRequest
        {
            Run = run,
            Job = name,
            Purpose = submit.Purpose,
            Candidate = candidate with { Patch = patch },
            Repository = new JobRepository(bundle, submit.Base),
            ThresholdPct = options.ThresholdPct,
            Methodology = options.Methodology,
            JudgingMetric = options.JudgingMetric,
            State = options.StateFiles.Count > 0 ? layout.State(run) : null,
            Result = layout.Result(run, name),
            Artifacts = layout.Artifacts(run, name),
        };

        string id;
        try
        {
            id = await executor.SubmitAsync(request, layout.Job(run, name), cancellationToken);
        }
        catch (PerfloopException)
        {
            // Refused (a bad partition or option): nothing runs, so nothing is journaled as running.
            Save(journal.WithoutLastAttempt(submit.Index));
            throw;
        }

        journal = Save(journal.Submitted(submit.Index, id));
        var what = submit.Purpose == JobPurpose.Reverify ? "re-verification" : "evaluation";
        reporter.Detail($"[cluster] {candidate.Key}: {what} on {Short(submit.Base)} submitted as {executor.Name} job {id}");
        return journal;
    }

    /// <summary>Until at least one job in flight is over: result files every <see cref="ClusterRunOptions.ResultPollInterval"/>, the scheduler every <see cref="ClusterRunOptions.SchedulerPollInterval"/>.</summary>
    async Task<ClusterJournal> WaitAsync(ClusterJournal journal, ClusterRunOptions options, CancellationToken cancellationToken)
    {
        while (true)
        {
            var inFlight = journal.InFlight().Where(j => j.Job.JobId is not null).ToList();
            var now = clock.GetUtcNow();
            var fresh = now - lastQuery >= options.SchedulerPollInterval;
            if (fresh)
            {
                lastStatuses = await executor.QueryAsync(inFlight.Select(j => j.Job.JobId!).ToList(), cancellationToken);
                lastQuery = now;
            }

            var finished = false;
            foreach (var (index, attempt, job) in inFlight)
            {
                var resultPath = layout.Result(journal.Run, job.Name);
                var (result, problem) = ReadResult(resultPath);
                if (result is null && problem is null && !fresh)
                {
                    continue;
                }

                var status = lastStatuses.GetValueOrDefault(job.JobId!) ?? new JobStatus(job.JobId!, "SUBMITTED", JobPhase.Queued, "", "");
                var observation = new JobObservation(status, result, problem, result is null ? LogTail(layout.Log(journal.Run, job.Name)) : "");
                if (JobWatch.IsOverWithoutResult(observation))
                {
                    overWithoutResultSince.TryAdd(job.Name, now);
                }
                else
                {
                    overWithoutResultSince.Remove(job.Name);
                }

                DateTimeOffset? overSince = overWithoutResultSince.TryGetValue(job.Name, out var since) ? since : null;
                var outcome = JobWatch.Look(job, executor.Name, journal.Run, observation, executor.TimeLimit, overSince, now);
                if (outcome.Action == JobWatchAction.Wait)
                {
                    continue;
                }

                if (outcome.Action == JobWatchAction.CancelAndFinish)
                {
                    await executor.CancelAsync(job.JobId!, cancellationToken);
                }

                var finish = outcome.Finish! with { Result = result is null ? null : resultPath };
                journal = Save(journal.Finished(index, attempt, finish));
                overWithoutResultSince.Remove(job.Name);
                var node = status.Node.Length > 0 ? $" on {status.Node}" : "";
                reporter.Detail($"[cluster] {journal.Candidates[index].Candidate.Key}: {executor.Name} job {job.JobId}{node} finished: {ResultRow.StatusWord(finish.Status)} — {finish.Reason}");
                finished = true;
            }

            if (finished)
            {
                return journal;
            }

            await Task.Delay(options.ResultPollInterval, clock, cancellationToken);
        }
    }

    static (ClusterJobResult? Result, string? Problem) ReadResult(string path)
    {
        try
        {
            return (ClusterJson.Read<ClusterJobResult>(path), null);
        }
        catch (PerfloopException e)
        {
            return (null, e.Message);
        }
    }

    /// <summary>The last lines of a job's log, as one line for a crash row: usually the error that ended it.</summary>
    internal static string LogTail(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            stream.Seek(Math.Max(0, stream.Length - 4096), SeekOrigin.Begin);
            using var reader = new StreamReader(stream);
            var lines = reader.ReadToEnd().ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var tail = string.Join(" | ", lines.TakeLast(3));
            return tail.Length > 300 ? "…" + tail[^299..] : tail;
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }

    ClusterJournal Save(ClusterJournal journal)
    {
        ClusterJson.Write(layout.Journal, journal);
        return journal;
    }

    static string Short(string commit) => commit.Length > 12 ? commit[..12] : commit;
}
