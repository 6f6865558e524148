using System.Globalization;

namespace Perfloop.Cluster;

/// <summary>One job in flight, for <c>perfloop status</c>.</summary>
public sealed record JobInFlight(string Candidate, JobPurpose Purpose, string Base, string? JobId, string State, string Node, DateTimeOffset SubmittedAt);

/// <summary>Where a cluster run stands: <c>perfloop status</c> shows it while (or after) the coordinator runs.</summary>
public sealed record ClusterRunStatus(string Run, string Source, int Candidates, int Decided, int Kept, int Jobs, IReadOnlyList<JobInFlight> InFlight)
{
    /// <summary>Reads the journal and, when an executor is given, asks the scheduler for the states of the jobs in flight; null when no run was journaled.</summary>
    public static async Task<ClusterRunStatus?> LoadAsync(ClusterLayout layout, ICandidateExecutor? executor, CancellationToken cancellationToken)
    {
        if (ClusterJson.Read<ClusterJournal>(layout.Journal) is not { } journal)
        {
            return null;
        }

        var ids = journal.InFlight().Select(j => j.Job.JobId).OfType<string>().ToList();
        var statuses = executor is null || ids.Count == 0
            ? new Dictionary<string, JobStatus>()
            : await executor.QueryAsync(ids, cancellationToken);
        return Of(journal, statuses);
    }

    public static ClusterRunStatus Of(ClusterJournal journal, IReadOnlyDictionary<string, JobStatus> statuses) => new(
        journal.Run,
        journal.Source,
        journal.Candidates.Count,
        journal.Candidates.Count(c => c.IsDecided),
        journal.Candidates.Count(c => c.IsDecided && c.Decision!.Status == Journal.ExperimentStatus.Keep),
        journal.Jobs,
        journal.InFlight().Select(j =>
        {
            var status = j.Job.JobId is { } id ? statuses.GetValueOrDefault(id) : null;
            return new JobInFlight(journal.Candidates[j.Index].Candidate.Key, j.Job.Purpose, j.Job.Base, j.Job.JobId,
                status?.Describe() ?? (j.Job.JobId is null ? "SUBMITTING" : "unknown (not asked)"), status?.Node ?? "", j.Job.SubmittedAt);
        }).ToList());

    /// <summary>"run R over S: 12/40 decided (3 kept), 4 of 4 jobs in flight" and one line per job.</summary>
    public IReadOnlyList<string> Lines()
    {
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"cluster run {Run} over {Source}: {Decided}/{Candidates} decided ({Kept} kept), {InFlight.Count} of {Jobs} jobs in flight"),
        };
        lines.AddRange(InFlight.Select(j =>
            $"  {j.Candidate}: {(j.Purpose == JobPurpose.Reverify ? "re-verification" : "evaluation")} on {j.Base[..Math.Min(12, j.Base.Length)]}, job {j.JobId ?? "?"} {j.State}{(j.Node.Length > 0 ? $" on {j.Node}" : "")}, submitted {j.SubmittedAt:yyyy-MM-dd HH:mm:ss}Z"));
        return lines;
    }
}
