using System.Globalization;
using Perfloop.Journal;

namespace Perfloop.Cluster;

/// <summary>What the coordinator sees of one job in flight at one look.</summary>
/// <param name="Status">The scheduler's report.</param>
/// <param name="Result">The job's result file, when it exists and is whole.</param>
/// <param name="ResultProblem">Why an existing result file cannot be taken (damaged, another run's); null otherwise.</param>
/// <param name="LogTail">The last lines of the job's log, for a crash row's reason; empty when there is none.</param>
public sealed record JobObservation(JobStatus Status, ClusterJobResult? Result, string? ResultProblem, string LogTail);

/// <summary>What to do with a job in flight after a look.</summary>
public enum JobWatchAction
{
    Wait,
    Finish,

    /// <summary>Cancel it at the scheduler first (it overran every limit), then record the finish.</summary>
    CancelAndFinish,
}

public sealed record JobWatchOutcome(JobWatchAction Action, JobFinish? Finish)
{
    public static JobWatchOutcome Wait { get; } = new(JobWatchAction.Wait, null);
}

/// <summary>
/// Turns a look at a job in flight into its end, purely. A result file is the job's own verdict and wins as soon as it
/// is there. A job the scheduler says failed (FAILED, CANCELLED, TIMEOUT, NODE_FAIL…) is a crash with the scheduler's
/// words. A job that ended without a result is given <see cref="ResultGrace"/> for the file to show (a shared
/// filesystem may show it late) before it is a crash. A job still running well past its time limit is cancelled: the
/// wait is bounded even when the scheduler never reports an end (a node that stopped answering).
/// </summary>
public static class JobWatch
{
    /// <summary>NFS caches directory attributes for up to 60 s by default (acdirmax); a result written just before the end shows by then.</summary>
    public static TimeSpan ResultGrace { get; } = TimeSpan.FromSeconds(60);

    /// <summary>Past its time limit the scheduler ends a job within a minute or two (Slurm: its time-limit check, KillWait, a node timeout).</summary>
    public static TimeSpan DeadlineGrace { get; } = TimeSpan.FromMinutes(5);

    /// <param name="attempt">The job as journaled.</param>
    /// <param name="scheduler">The scheduler's name for the reasons ("slurm").</param>
    /// <param name="run">The run the result must belong to.</param>
    /// <param name="observation">This look.</param>
    /// <param name="timeLimit">The job's time limit as the scheduler enforces it.</param>
    /// <param name="overWithoutResultSince">When the job was first seen over (or unknown) with no result; null if not yet.</param>
    /// <param name="now">The coordinator's clock.</param>
    public static JobWatchOutcome Look(JobAttempt attempt, string scheduler, string run, JobObservation observation, TimeSpan timeLimit, DateTimeOffset? overWithoutResultSince, DateTimeOffset now)
    {
        var status = observation.Status;
        var job = $"{scheduler} job {attempt.JobId ?? attempt.Name}";
        var tail = observation.LogTail.Length > 0 ? $"; its log ends: {observation.LogTail}" : "";
        JobWatchOutcome Finish(ExperimentStatus s, string reason, JobWatchAction action = JobWatchAction.Finish) =>
            new(action, new JobFinish(s, reason) { SchedulerState = status.Describe(), FinishedAt = now });

        if (observation.Result is { } result)
        {
            if (result.Run != run || result.Job != attempt.Name || result.Commit != attempt.Base)
            {
                return Finish(ExperimentStatus.Crash, $"{job} wrote a result for another job ({result.Run}/{result.Job} on {result.Commit}), not for {run}/{attempt.Name} on {attempt.Base}");
            }

            return new(JobWatchAction.Finish, new JobFinish(result.Row.Status, result.Row.Reason)
            {
                SchedulerState = status.Describe(),
                FinishedAt = now,
            });
        }

        if (observation.ResultProblem is { } problem)
        {
            return Finish(ExperimentStatus.Crash, $"{job} wrote a result that cannot be read: {problem}");
        }

        switch (status.Phase)
        {
            case JobPhase.Failed:
                return Finish(ExperimentStatus.Crash, $"{job} ended {status.Describe()}{NodeOf(status)}{tail}");
            case JobPhase.Succeeded or JobPhase.Unknown:
                if (overWithoutResultSince is not { } since || now - since < ResultGrace)
                {
                    return Wait;
                }

                return Finish(ExperimentStatus.Crash, status.Phase == JobPhase.Succeeded
                    ? $"{job} ended {status.State} but wrote no result within {ResultGrace.TotalSeconds:0} s{tail}"
                    : $"{scheduler} no longer knows {job} and it wrote no result{tail}");
            case JobPhase.Running when status.StartedAt is { } started && now - started > timeLimit + DeadlineGrace:
                return Finish(ExperimentStatus.Crash, string.Create(CultureInfo.InvariantCulture,
                    $"{job} was still {status.Describe()}{NodeOf(status)} {(now - started).TotalMinutes:0} min after it started, past its {timeLimit.TotalMinutes:0} min time limit; cancelled{tail}"),
                    JobWatchAction.CancelAndFinish);
            default:
                return Wait;
        }
    }

    /// <summary>Whether this look starts the <see cref="ResultGrace"/> clock: the job is over (or gone) and left no result yet.</summary>
    public static bool IsOverWithoutResult(JobObservation observation) =>
        observation.Result is null && observation.ResultProblem is null && observation.Status.Phase is JobPhase.Succeeded or JobPhase.Unknown;

    static JobWatchOutcome Wait => JobWatchOutcome.Wait;

    static string NodeOf(JobStatus status) => status.Node.Length > 0 ? $" on {status.Node}" : "";
}
