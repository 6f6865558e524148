using Perfloop.Configuration;
using Perfloop.Errors;
using Perfloop.Experiments;
using Perfloop.Git;
using Perfloop.Journal;
using Perfloop.Measurement;
using Perfloop.Policies;
using Perfloop.Reports;
using Perfloop.Sessions;

namespace Perfloop.UseCases;

/// <summary>An on-demand A/A of HEAD: <see cref="Pairs"/> overrides perfloop.json's calibration runs.</summary>
public sealed record CalibrateOptions(string Directory, int? Pairs, IMeasurementProgress? Progress = null);

/// <summary>Experiment <see cref="Experiment"/>'s verdict recomputed from its samples.</summary>
public sealed record VerdictOptions(string Directory, int Experiment);

/// <summary>
/// A session report from the repository's results, or from <see cref="ResultsFile"/> when given; <see cref="Title"/>
/// defaults to one naming the repository.
/// </summary>
public sealed record ReportOptions(string Directory, string? ResultsFile, string? Title);

/// <summary>The read-only questions a user or an agent asks of a repository's record: noise, a verdict, the history, a report.</summary>
public static class Queries
{
    /// <summary>An A/A of HEAD; a bench started through a version-manager shim gets an advice line naming the real program first.</summary>
    public static async Task<CalibrationReport> CalibrateAsync(EngineServices services, CalibrateOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        foreach (var shim in await Init.VersionManagerShims.FindForRepositoryAsync(services.Runner, options.Directory, cancellationToken))
        {
            services.Reporter.Detail($"advice: {shim.Advice}");
        }

        return await new NoiseCalibrationRun(services.Runner).RunAsync(options.Directory, options.Pairs, options.Progress, cancellationToken);
    }

    public static async Task<ReplayedVerdict> VerdictAsync(EngineServices services, VerdictOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        var repository = await GitRepository.OpenAsync(services.Runner, options.Directory, cancellationToken);
        return VerdictReplay.Load(repository.Root, options.Experiment);
    }

    /// <summary>The history review the loop makes before every experiment.</summary>
    public static async Task<HistoryReview> HistoryAsync(EngineServices services, RepositoryOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        var repository = await GitRepository.OpenAsync(services.Runner, options.Directory, cancellationToken);
        return await SessionFiles.ReadHistoryAsync(repository, SessionLedger.Open(repository.Root).Rows, cancellationToken);
    }

    public static async Task<SessionReport> ReportAsync(EngineServices services, ReportOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        string path;
        string name;
        if (options.ResultsFile is { } results)
        {
            path = Path.GetFullPath(results);
            name = Path.GetFileName(Path.GetDirectoryName(path)) ?? path;
            if (!File.Exists(path))
            {
                throw new PerfloopException($"{Mention.Input("results")}: file not found: {path}");
            }
        }
        else
        {
            var repository = await GitRepository.OpenAsync(services.Runner, options.Directory, cancellationToken);
            path = PerfloopPaths.Results(repository.Root);
            name = Path.GetFileName(repository.Root);
            if (!File.Exists(path))
            {
                throw new PerfloopException($"no {Path.GetRelativePath(repository.Root, path)} in {repository.Root}; run {Mention.Command("run")} first, or pass {Mention.Input("results")} FILE");
            }
        }

        var rows = ResultsTable.Read(path);
        if (rows.Count == 0)
        {
            throw new PerfloopException($"{path} has no experiments yet; run {Mention.Command("run")} first");
        }

        return SessionReport.Build(rows, options.Title ?? $"Perfloop session in {name}");
    }
}
