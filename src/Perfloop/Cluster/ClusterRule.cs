using System.Globalization;
using Perfloop.Journal;

namespace Perfloop.Cluster;

/// <summary>What the coordinator does next; <see cref="ClusterRule.Next"/> returns exactly one.</summary>
public abstract record ClusterAction;

/// <summary>Record the candidate's decision: for a KEEP, commit it on HEAD; then write its row.</summary>
public sealed record DecideAction(int Index, CandidateDecision Decision) : ClusterAction;

/// <summary>Check (as the serial loop would: <c>git apply --check</c>) whether the candidate applies on <paramref name="Head"/>.</summary>
public sealed record CheckApplyAction(int Index, string Head) : ClusterAction;

/// <summary>Submit a job evaluating the candidate against <paramref name="Base"/>.</summary>
public sealed record SubmitAction(int Index, JobPurpose Purpose, string Base) : ClusterAction;

/// <summary>Nothing to do until a job in flight finishes.</summary>
public sealed record WaitAction(int InFlight) : ClusterAction;

/// <summary>Every candidate is decided.</summary>
public sealed record DoneAction : ClusterAction;

/// <summary>
/// The coordinator's decision rule, a pure function of the journal:
/// <list type="number">
/// <item>Decisions are taken in queue order: candidate i is decided only after every candidate before it.</item>
/// <item>A job's <c>discard</c> or <c>crash</c> is final whatever base it was measured on.</item>
/// <item>A job's <c>keep</c> on the current HEAD is a KEEP.</item>
/// <item>A job's <c>keep</c> on an older base (a candidate before it was kept meanwhile) is not kept on that evidence:
/// if the patch no longer applies on HEAD (the serial loop's own check, <c>git apply --check</c>), it is discarded;
/// otherwise it is re-verified — evaluated again, whole, by one job against the new HEAD — and that job's verdict
/// decides. HEAD cannot move while the re-verification runs, since nothing after the candidate is decided before it.</item>
/// <item>Up to <see cref="ClusterJournal.Jobs"/> jobs are in flight; a free slot goes first to the re-verification
/// the next decision waits for, then to the next candidate never submitted, evaluated against the current HEAD.</item>
/// </list>
/// When every candidate's verdict does not depend on the base (effects that add up, no interactions), this keeps
/// exactly the candidates the serial loop keeps, in the same order: a verdict on an older base is the verdict on HEAD,
/// and a KEEP is only ever taken on evidence measured on HEAD.
/// </summary>
public static class ClusterRule
{
    public static ClusterAction Next(ClusterJournal journal)
    {
        var inFlight = journal.InFlight().Count();
        var next = journal.Candidates.Select((c, i) => (Candidate: c, Index: i)).FirstOrDefault(x => !x.Candidate.IsDecided);
        if (next.Candidate is null)
        {
            return new DoneAction();
        }

        var (candidate, index) = next;
        if (candidate.Decision is { Applied: false } pending)
        {
            // Journaled but not yet committed and recorded (the coordinator stopped in between): finish it.
            return new DecideAction(index, pending);
        }

        if (candidate.LastAttempt is { Finish: { } finish } last)
        {
            var attempt = candidate.Attempts.Count - 1;
            var reverified = last.Purpose == JobPurpose.Reverify;
            if (finish.Status != ExperimentStatus.Keep)
            {
                var reason = reverified ? $"re-verified on {Short(last.Base)} after the changes kept since: {finish.Reason}" : finish.Reason;
                return new DecideAction(index, new CandidateDecision(finish.Status, reason) { Attempt = attempt });
            }

            if (last.Base == journal.Head)
            {
                var reason = reverified ? $"{finish.Reason} (re-verified on {Short(last.Base)} after the changes kept since it was first measured)" : finish.Reason;
                return new DecideAction(index, new CandidateDecision(ExperimentStatus.Keep, reason) { Attempt = attempt });
            }

            if (candidate.ApplyCheck?.Head != journal.Head)
            {
                return new CheckApplyAction(index, journal.Head);
            }

            if (candidate.ApplyCheck.Problem is { } problem)
            {
                return new DecideAction(index, new CandidateDecision(ExperimentStatus.Discard,
                    $"patch does not apply: {problem} (measured as a keep on {Short(last.Base)}, but it no longer applies on {Short(journal.Head)} after the changes kept since)"));
            }

            if (inFlight < journal.Jobs)
            {
                return new SubmitAction(index, JobPurpose.Reverify, journal.Head);
            }

            return new WaitAction(inFlight);
        }

        if (inFlight < journal.Jobs && journal.Candidates.Select((c, i) => (c, i)).FirstOrDefault(x => x.c.Attempts.Count == 0 && x.c.Decision is null) is { c: not null } waiting)
        {
            return new SubmitAction(waiting.i, JobPurpose.Evaluate, journal.Head);
        }

        if (inFlight == 0)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"cluster journal of run {journal.Run}: candidate {index} is undecided with no job in flight and none to submit"));
        }

        return new WaitAction(inFlight);
    }

    static string Short(string commit) => commit.Length > 12 ? commit[..12] : commit;
}
