using System.Globalization;
using Perfloop.Configuration;
using Perfloop.Errors;
using Perfloop.Git;
using Perfloop.Journal;

namespace Perfloop.Cluster;

/// <summary>
/// First version of <see cref="IClusterDecisions"/> on the current pipeline: a KEEP applies the candidate's patch on
/// HEAD (as the serial loop's patch implementer does) and commits exactly its files with the serial loop's trailers;
/// every decision appends the job's row to results.tsv under the coordinator's experiment number and keeps the job's
/// files in <c>.perfloop/experiments/N</c>. Idempotent per experiment number: a commit whose message carries
/// <c>Perfloop-Experiment: N</c> at HEAD, or a row numbered N, is never made twice.
/// </summary>
public sealed class GitClusterDecisions(GitRepository repository, string domain, TimeProvider clock) : IClusterDecisions
{
    string Root => repository.Root;

    public int NextExperimentNumber()
    {
        var rows = ResultsTable.Read(PerfloopPaths.Results(Root));
        return rows.Count == 0 ? 0 : rows.Max(r => r.Experiment) + 1;
    }

    public async Task<AppliedDecision> ApplyAsync(QueuedCandidate candidate, CandidateDecision decision, int experiment, ClusterJobResult? evidence, CancellationToken cancellationToken)
    {
        if (ResultsTable.Read(PerfloopPaths.Results(Root)).FirstOrDefault(r => r.Experiment == experiment) is { } recorded)
        {
            return new AppliedDecision(experiment, recorded.Status == ExperimentStatus.Keep ? recorded.Commit : null);
        }

        var head = await repository.HeadAsync(cancellationToken);
        var row = RowOf(candidate, decision, experiment, evidence, head);
        string? commit = null;
        if (decision.Status == ExperimentStatus.Keep)
        {
            commit = await CommitOf(experiment, head, cancellationToken) ? head : await CommitAsync(candidate, row, experiment, cancellationToken);
            row = row with { Commit = commit };
        }

        if (evidence is { Artifacts.Length: > 0 } && Directory.Exists(evidence.Artifacts))
        {
            var directory = PerfloopPaths.Experiment(Root, experiment);
            foreach (var file in Directory.EnumerateFiles(evidence.Artifacts, "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(directory, Path.GetRelativePath(evidence.Artifacts, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target, overwrite: true);
            }
        }

        ResultsTable.Append(PerfloopPaths.Results(Root), row);
        return new AppliedDecision(experiment, commit);
    }

    ResultRow RowOf(QueuedCandidate queued, CandidateDecision decision, int experiment, ClusterJobResult? evidence, string head)
    {
        var candidate = queued.Candidate;
        var row = evidence?.Row ?? new ResultRow
        {
            Experiment = experiment,
            Timestamp = clock.GetUtcNow(),
            Domain = domain,
            Target = candidate.Target,
            Category = candidate.Category,
            Strategy = candidate.Strategy,
            Summary = candidate.Summary,
            Status = decision.Status,
            Commit = head,
        };
        return row with
        {
            Experiment = experiment,
            Timestamp = clock.GetUtcNow(),
            Status = decision.Status,
            // A re-verified or no-longer-applying candidate's guard word stays the job's; a crash without a job has none.
            Guard = decision.Status == ExperimentStatus.Keep || evidence is not null ? row.Guard : GuardStatus.NotRun,
            Reason = decision.Reason,
        };
    }

    async Task<bool> CommitOf(int experiment, string commit, CancellationToken cancellationToken)
    {
        var message = await repository.Git.RunAsync(["log", "-1", "--format=%B", commit], cancellationToken);
        return message.Contains($"Perfloop-Experiment: {experiment.ToString(CultureInfo.InvariantCulture)}\n", StringComparison.Ordinal);
    }

    async Task<string> CommitAsync(QueuedCandidate queued, ResultRow row, int experiment, CancellationToken cancellationToken)
    {
        var candidate = queued.Candidate;
        if (await repository.ApplyPatchAsync(Path.GetFullPath(candidate.Patch), cancellationToken) is { } problem)
        {
            throw new PerfloopException($"candidate {candidate.Key} was kept on {row.Commit} but its patch does not apply on HEAD: {problem}", ExitCodes.Failure);
        }

        var paths = await repository.ChangedPathsAsync(cancellationToken);
        var lines = new List<string> { candidate.Summary.Length > 0 ? candidate.Summary : candidate.Key, "", $"Measured by Perfloop on a cluster node: {row.Reason}.", "" };
        foreach (var (key, value) in new[] { ("Target", candidate.Target), ("Category", candidate.Category), ("Strategy", candidate.Strategy) })
        {
            if (value.Length > 0)
            {
                lines.Add($"{key}: {value}");
            }
        }

        lines.Add($"Perfloop-Experiment: {experiment.ToString(CultureInfo.InvariantCulture)}");
        if (row.Baseline is { } baseline && row.Candidate is { } measured)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"Perfloop-Metric: {row.Metric} {baseline:0.###} → {measured:0.###} ({row.DeltaPct:+0.0;-0.0}%, CI {row.CiLowPct:+0.0;-0.0}…{row.CiHighPct:+0.0;-0.0}%)"));
        }

        return await repository.CommitAsync(paths, string.Join('\n', lines) + "\n", cancellationToken);
    }
}
