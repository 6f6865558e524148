using Perfloop.Configuration;
using Perfloop.Domains;
using Perfloop.Errors;
using Perfloop.Git;
using Perfloop.Measurement;
using Perfloop.Safety;

namespace Perfloop.Experiments;

/// <summary>
/// Everything about a repository that is fixed before anything is measured, read once per command: perfloop.json, the
/// domain, the selected metric, the methodology, the guard and the protected paths. Immutable: every step reads the same
/// values, so the threshold, metric and guard cannot differ from one step to the next.
/// </summary>
public sealed record SessionSetup(GitRepository Repository, PerfloopConfig Config, Domain Domain, string? Guard)
{
    public string Root => Repository.Root;

    /// <summary>The metric the configuration selects (the domain's, or perfloop.json's <c>metric</c>), with its sources.</summary>
    public SelectedMetric Metric { get; } = MetricSelection.Select(Config, Domain);

    /// <summary>How verdicts are measured under this perfloop.json; a baseline row fixes it.</summary>
    public Methodology Methodology { get; } = Methodology.Of(Config, Domain);

    public ProtectedPaths Protected { get; } = new(Config.ProtectedPaths, ProtectedPaths.FilesNamedIn(Guard, Repository.Root));

    /// <summary>
    /// Opens the repository holding <paramref name="directory"/>: loads perfloop.json, keeps <c>.perfloop/</c> out of git,
    /// and makes <c>.perfloop/conventions.md</c> show the committed guard (a clone has no conventions.md; an edited or
    /// tampered one never overrides perfloop.json).
    /// </summary>
    public static async Task<SessionSetup> OpenAsync(Processes.IProcessRunner runner, string directory, CancellationToken cancellationToken)
    {
        var repository = await GitRepository.OpenAsync(runner, directory, cancellationToken);
        var config = ConfigStore.Load(repository.Root);
        var domain = Domains.Domains.Find(config.Domain)!;
        // Perfloop's state must never show up as the user's change, even in a repository set up by hand.
        await repository.ExcludeAsync(PerfloopPaths.StateDirectoryName + "/", cancellationToken);
        var guard = config.Guard?.Trim();
        var local = Conventions.LoadGuard(repository.Root);
        if (guard is null && local is not null)
        {
            throw new PerfloopException(
                $"the guard '{local}' is only in {PerfloopPaths.StateDirectoryName}/conventions.md, which git does not track, so a clone or CI machine would run without it; add \"guard\": \"{local.Replace("\"", "\\\"", StringComparison.Ordinal)}\" to {PerfloopConfig.FileName} and commit it");
        }

        if (local != guard)
        {
            Conventions.WriteGuard(repository.Root, guard, domain.Name);
        }

        return new SessionSetup(repository, config, domain, guard);
    }

    /// <summary>The keep threshold before any calibration: perfloop.json's <c>thresholds.keepPct</c>, else the domain's.</summary>
    public double ConfiguredThresholdPct => Methodology.DomainThresholdPct;
}
