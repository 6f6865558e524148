using System.Globalization;
using Perfloop.Cluster;
using Perfloop.Configuration;
using Perfloop.Errors;
using Perfloop.Experiments;
using Perfloop.Git;
using Perfloop.Implementers;
using Perfloop.Journal;

namespace Perfloop.Sessions;

/// <summary>
/// The body of <c>perfloop cluster-job --request FILE</c>, run by a job on its node: one candidate's whole evaluation,
/// by the same steps as the serial loop (apply, build, oracle, fidelity, interleaved A/B, guard, decision, e2e), in a
/// clone on the node's local disk, then the verdict row and the experiment's files on the shared filesystem.
/// <para>
/// The clone gets a baseline row carrying the coordinator's threshold and methodology (so the node does not calibrate
/// again, and refuses to judge if the base commit's perfloop.json measures otherwise), and
/// <see cref="ExperimentPipeline"/> runs the experiment as the serial loop does.
/// A KEEP commits inside the throwaway clone only; the coordinator makes the real commit.
/// </para>
/// </summary>
public static class ClusterJob
{
    /// <summary>Where a job clones the repository: the node's temporary directory (TMPDIR, which Slurm sites point at local disk).</summary>
    public static string ScratchRoot => Path.Combine(Path.GetTempPath(), "perfloop-jobs");

    /// <summary>
    /// Evaluates the request's candidate and writes its result. A failure the evaluation can name (a build that breaks
    /// the pipeline, a perfloop.json that differs) is written as a crash result with that reason; the job then exits 0,
    /// because the result, not the exit code, is its answer.
    /// </summary>
    public static async Task<ClusterJobResult> RunAsync(string requestPath, EngineServices services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        var (reporter, clock) = (services.Reporter, services.Clock);
        var request = ClusterJson.Read<ClusterJobRequest>(requestPath)
            ?? throw new PerfloopException($"cluster-job: request {requestPath} not found; it is written by the coordinator beside the job script", ExitCodes.Usage);
        if (request.Schema != ClusterJobRequest.SchemaName)
        {
            throw new PerfloopException($"cluster-job: {requestPath} is {request.Schema}; this perfloop reads {ClusterJobRequest.SchemaName} (install the coordinator's perfloop version on the nodes)", ExitCodes.Usage);
        }

        var started = clock.GetUtcNow();
        var scratch = Path.Combine(ScratchRoot, $"{request.Job}-{Environment.ProcessId}");
        ResultRow row;
        try
        {
            row = await EvaluateAsync(request, scratch, services, cancellationToken);
        }
        catch (PerfloopException e)
        {
            reporter.Status($"[cluster-job] {request.Job}: {e.Message}");
            row = new ResultRow
            {
                Experiment = 0,
                Timestamp = clock.GetUtcNow(),
                Domain = request.Methodology.Domain,
                Target = request.Candidate.Target,
                Category = request.Candidate.Category,
                Strategy = request.Candidate.Strategy,
                Summary = request.Candidate.Summary,
                Metric = request.JudgingMetric ?? request.Methodology.Metric,
                ThresholdPct = request.ThresholdPct,
                Status = ExperimentStatus.Crash,
                Commit = request.Repository.Commit,
                Reason = $"on {Environment.MachineName}: {e.Message}",
            };
        }
        finally
        {
            await RemoveAsync(scratch);
        }

        var result = new ClusterJobResult
        {
            Run = request.Run,
            Job = request.Job,
            Commit = request.Repository.Commit,
            Row = row with { Commit = request.Repository.Commit },
            Host = Environment.MachineName,
            StartedAt = started,
            FinishedAt = clock.GetUtcNow(),
            Artifacts = request.Artifacts,
        };
        ClusterJson.Write(request.Result, result);
        return result;
    }

    static async Task<ResultRow> EvaluateAsync(ClusterJobRequest request, string scratch, EngineServices services, CancellationToken cancellationToken)
    {
        var clone = Path.Combine(scratch, "repo");
        await GitRepository.CloneFromBundleAsync(services.Runner, request.Repository.Bundle, request.Repository.Commit, clone, cancellationToken);

        var state = PerfloopPaths.StateDirectory(clone);
        Directory.CreateDirectory(state);
        if (request.State is { } shipped && Directory.Exists(shipped))
        {
            foreach (var file in Directory.EnumerateFiles(shipped))
            {
                File.Copy(file, Path.Combine(state, Path.GetFileName(file)), overwrite: true);
            }
        }

        // The coordinator's calibration stands in for the node's: a baseline row with its threshold and methodology.
        request.Methodology.Save(clone, 0);
        ResultsTable.Append(PerfloopPaths.Results(clone), new ResultRow
        {
            Experiment = 0,
            Timestamp = services.Clock.GetUtcNow(),
            Domain = request.Methodology.Domain,
            Target = "baseline",
            Summary = "the coordinator's calibration",
            Metric = request.JudgingMetric ?? request.Methodology.Metric,
            ThresholdPct = request.ThresholdPct,
            Status = ExperimentStatus.Baseline,
            Commit = request.Repository.Commit,
            Reason = string.Create(CultureInfo.InvariantCulture, $"threshold {request.ThresholdPct:0.##}% calibrated by the coordinator of run {request.Run}"),
            Extra = new Dictionary<string, string> { [ResultsTable.MethodologyColumn] = request.Methodology.Fingerprint },
        });

        // The patch alone in a folder: the serial loop's own patch implementer applies it, with its checks.
        var patches = Path.Combine(scratch, "patch");
        Directory.CreateDirectory(patches);
        File.Copy(request.Candidate.Patch, Path.Combine(patches, "candidate.patch"));
        var implementer = await PatchSeries.LoadAsync(patches, services.Runner, cancellationToken);

        await using var context = await ExperimentContext.OpenAsync(services, clone, "perfloop cluster-job", cancellationToken);
        if (context.MethodologyChangeSinceBaseline() is { } change)
        {
            throw new PerfloopException($"perfloop.json at {CommitId.Abbreviate(request.Repository.Commit)} measures differently from the coordinator's ({change})", ExitCodes.Failure);
        }

        // The same pipeline as the serial loop; its KEEP commits inside this throwaway clone only, the coordinator makes the real one.
        var pipeline = new ExperimentPipeline(context);
        var candidate = implementer.NextCandidate(new Policies.ExperimentGuidance(1, null, Policies.HistoryReview.Build([], []), null, []))
            ?? throw new PerfloopException("the job's patch could not be read", ExitCodes.Failure);
        // The coordinator already holds the guard or the user's waiver of it: a base commit without one runs without one.
        var experiment = await pipeline.StartAsync(candidate, ExperimentDriver.Loop, withoutGuard: context.Setup.Guard is null, cancellationToken);
        experiment = await pipeline.ImplementAsync(experiment, implementer, null, cancellationToken);
        experiment = await pipeline.CheckAsync(experiment, cancellationToken);
        experiment = await pipeline.BenchAsync(experiment, cancellationToken);
        experiment = await pipeline.GuardAsync(experiment, cancellationToken);
        var outcome = await pipeline.DecideAsync(experiment, maxReworks: 0, cancellationToken);
        var row = outcome.Row ?? throw new PerfloopException("the evaluation ended without a row", ExitCodes.Failure);

        CopyDirectory(PerfloopPaths.Experiment(clone, row.Experiment), request.Artifacts);
        return row;
    }

    static void CopyDirectory(string from, string to)
    {
        if (!Directory.Exists(from))
        {
            return;
        }

        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }

    static async Task RemoveAsync(string directory)
    {
        // Build outputs can be read-only (git objects are); a leftover scratch clone costs disk, never correctness.
        for (var attempt = 0; attempt < 3 && Directory.Exists(directory); attempt++)
        {
            try
            {
                foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
                {
                    File.SetAttributes(file, FileAttributes.Normal);
                }

                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                await Task.Delay(200);
            }
            catch (UnauthorizedAccessException)
            {
                await Task.Delay(200);
            }
        }
    }
}
