using System.Globalization;
using Perfloop.Cluster;
using Perfloop.Configuration;
using Perfloop.Errors;
using Perfloop.Experiments;
using Perfloop.Implementers;
using Perfloop.Journal;
using Perfloop.Statistics;

namespace Perfloop.Sessions;

/// <summary>
/// <see cref="IClusterDecisions"/> on the repository, as the serial loop would: a KEEP applies the candidate's patch on
/// HEAD the way the patch queue does (<see cref="PatchApplication"/>), makes the commit object with the patch's author,
/// body and the loop's trailers (<see cref="KeepCommitMessage"/>) and moves HEAD to it; every decision appends the
/// job's row to the session's ledger under the coordinator's experiment number and keeps the job's files in
/// <c>.perfloop/experiments/N</c>. Idempotent per experiment number: a commit whose message carries
/// <c>Perfloop-Experiment: N</c> at HEAD, or a row numbered N, is never made twice.
/// </summary>
public sealed class GitClusterDecisions(ExperimentContext context, IReadOnlyList<PatchFile> patches) : IClusterDecisions
{
    string Root => context.Root;

    public int NextExperimentNumber() => context.Ledger.NextExperimentNumber;

    public async Task<AppliedDecision> ApplyAsync(QueuedCandidate candidate, CandidateDecision decision, int experiment, ClusterJobResult? evidence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(decision);
        if (context.Ledger.Experiment(experiment) is { } recorded)
        {
            return new AppliedDecision(experiment, recorded.Status == ExperimentStatus.Keep ? recorded.Commit : null);
        }

        var head = await context.Repository.HeadAsync(cancellationToken);
        var row = RowOf(candidate, decision, experiment, evidence, head);
        string? commit = null;
        if (decision.Status == ExperimentStatus.Keep)
        {
            commit = await IsCommitOf(experiment, head, cancellationToken) ? head : await CommitAsync(candidate.Candidate, row, experiment, head, cancellationToken);
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

        context.Ledger.Append(row);
        return new AppliedDecision(experiment, commit);
    }

    ResultRow RowOf(QueuedCandidate queued, CandidateDecision decision, int experiment, ClusterJobResult? evidence, string head)
    {
        var candidate = queued.Candidate;
        var row = evidence?.Row ?? new ResultRow
        {
            Experiment = experiment,
            Timestamp = context.Services.Clock.GetUtcNow(),
            Domain = context.Setup.Domain.Name,
            Target = candidate.Target,
            Category = candidate.Category,
            Strategy = candidate.Strategy,
            Summary = candidate.Summary,
            Metric = context.JudgingMetric().Name,
            Status = decision.Status,
            Commit = head,
        };
        return row with
        {
            Experiment = experiment,
            Timestamp = context.Services.Clock.GetUtcNow(),
            Status = decision.Status,
            // A re-verified or no-longer-applying candidate's guard word stays the job's; a crash without a job has none.
            Guard = decision.Status == ExperimentStatus.Keep || evidence is not null ? row.Guard : GuardStatus.NotRun,
            Reason = decision.Reason,
        };
    }

    async Task<bool> IsCommitOf(int experiment, string commit, CancellationToken cancellationToken) =>
        (await context.Repository.MessageAsync(commit, cancellationToken)).Contains($"Perfloop-Experiment: {experiment.ToString(CultureInfo.InvariantCulture)}\n", StringComparison.Ordinal);

    async Task<string> CommitAsync(JobCandidate candidate, ResultRow row, int experiment, string head, CancellationToken cancellationToken)
    {
        var repository = context.Repository;
        var path = Path.GetFullPath(candidate.Patch);
        var application = await PatchApplication.ApplyAsync(repository, path, await File.ReadAllTextAsync(path, cancellationToken), cancellationToken);
        if (application.Problem is { } problem)
        {
            throw new PerfloopException($"candidate {candidate.Key} was kept on {row.Commit} but its patch does not apply on HEAD: {problem}", ExitCodes.Failure);
        }

        var patch = patches.FirstOrDefault(p => Path.GetFullPath(p.Path) == path);
        var message = KeepCommitMessage.Compose(
            candidate.Summary.Length > 0 ? candidate.Summary : candidate.Key,
            patch?.Body ?? "",
            $"Measured by Perfloop on a cluster node: {row.Reason}.",
            [("Target", candidate.Target), ("Category", candidate.Category), ("Strategy", candidate.Strategy)],
            [
                ("Perfloop-Experiment", experiment.ToString(CultureInfo.InvariantCulture)),
                .. row is { Baseline: { } baseline, Candidate: { } measured, DeltaPct: { } delta }
                    ? [("Perfloop-Metric", string.Create(CultureInfo.InvariantCulture, $"{row.Metric} {Figures.Measure(baseline, "")} → {Figures.Measure(measured, "")} ({Figures.WithSign(delta)}%, CI {Figures.WithSign(row.CiLowPct ?? double.NaN)}…{Figures.WithSign(row.CiHighPct ?? double.NaN)}%)"))]
                    : Array.Empty<(string, string)>(),
            ]);
        var paths = await repository.ChangedPathsAsync(cancellationToken);
        var commit = await repository.CreateCommitAsync(head, paths, message, patch?.Author, cancellationToken);
        await repository.AdvanceHeadAsync(commit, head, cancellationToken);
        await repository.RestoreAsync(cancellationToken);
        return commit;
    }
}
