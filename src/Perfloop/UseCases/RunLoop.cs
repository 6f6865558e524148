using Perfloop.Configuration;
using Perfloop.Errors;
using Perfloop.Experiments;
using Perfloop.Git;
using Perfloop.Implementers;
using Perfloop.Implementers.Knobs;
using Perfloop.Processes;
using Perfloop.Sessions;

namespace Perfloop.UseCases;

/// <summary>Where a run's candidates come from.</summary>
public abstract record CandidateSource;

/// <summary>A folder of <c>git format-patch</c> files, judged in file-name order.</summary>
public sealed record PatchFolder(string Folder) : CandidateSource;

/// <summary>An AI agent's shell command, run once per target (from <see cref="TargetsFile"/> or the ranking).</summary>
public sealed record AgentCommand(string Command, TimeSpan Timeout, string? TargetsFile) : CandidateSource;

/// <summary>.NET runtime and build settings of the benchmarked project, one per experiment.</summary>
public sealed record RuntimeKnobs : CandidateSource;

/// <summary>What <c>run</c> does: the repository, the candidates, and when to stop.</summary>
public sealed record RunLoopOptions(string Directory, CandidateSource Source)
{
    public int? MaxExperiments { get; init; }

    public double? MaxMinutes { get; init; }

    public double? TargetSpeedup { get; init; }

    public bool AllowDirty { get; init; }

    public bool WithoutGuard { get; init; }

    /// <summary>Skip a queued patch whose strategy was rotated out instead of judging it at the back of the queue.</summary>
    public bool SkipRotated { get; init; }

    /// <summary>Where candidates are evaluated, over perfloop.json's <c>executor</c>: a kind (<c>local</c>, <c>slurm</c>), or null to keep it.</summary>
    public string? ExecutorKind { get; init; }

    /// <summary>Candidates in flight at once on a cluster, over perfloop.json's <c>executor.jobs</c>; null to keep it.</summary>
    public int? Jobs { get; init; }

    /// <summary>
    /// How to start the Perfloop that runs this loop (the front end knows: a dotnet tool, or <c>dotnet Perfloop.Cli.dll</c>
    /// from a checkout); cluster jobs use it when perfloop.json names no <c>executor.command</c> and no <c>perfloop</c> is on PATH.
    /// </summary>
    public IReadOnlyList<string>? SelfCommand { get; init; }
}

/// <summary>The experiment loop over a source of candidates, until they run out or a policy stops it.</summary>
public static class RunLoop
{
    public static async Task<SessionSummary> RunAsync(EngineServices services, RunLoopOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        if (await ClusterSettingsAsync(services, options, cancellationToken) is { } cluster)
        {
            return await RunOnClusterAsync(services, options, cluster, cancellationToken);
        }

        var implementer = await ImplementerAsync(services, options, cancellationToken);
        var run = new RunOptions(options.Directory, implementer)
        {
            MaxExperiments = options.MaxExperiments,
            MaxMinutes = options.MaxMinutes,
            TargetSpeedup = options.TargetSpeedup,
            AllowDirty = options.AllowDirty,
            WithoutGuard = options.WithoutGuard,
            SkipRotated = options.SkipRotated,
            // A patch queue resumes after an interruption; an agent's or the knob explorer's candidates are made afresh.
            CandidateSource = options.Source is PatchFolder queue ? "patches:" + queue.Folder : null,
        };
        return await new ExperimentSession(services).RunAsync(run, cancellationToken);
    }

    /// <summary>The executor settings when candidates go to a cluster (perfloop.json's <c>executor</c> with the options' overrides); null for this machine.</summary>
    static async Task<ExecutorSettings?> ClusterSettingsAsync(EngineServices services, RunLoopOptions options, CancellationToken cancellationToken)
    {
        if (options.ExecutorKind is ExecutorSettings.Local)
        {
            return null;
        }

        var repository = await GitRepository.OpenAsync(services.Runner, options.Directory, cancellationToken);
        var configured = File.Exists(ConfigStore.PathIn(repository.Root)) ? ConfigStore.Load(repository.Root).Executor ?? ExecutorSettings.Default : ExecutorSettings.Default;
        var settings = configured with
        {
            Kind = options.ExecutorKind ?? configured.Kind,
            Jobs = options.Jobs ?? (options.ExecutorKind is ExecutorSettings.Slurm && configured.Kind != ExecutorSettings.Slurm ? 2 : configured.Jobs),
            // Without an installed tool, the jobs start this very Perfloop (the node sees it on the shared filesystem),
            // rather than failing each with "perfloop: not found".
            Command = configured.Command.SequenceEqual(ExecutorSettings.Default.Command) && options.SelfCommand is { Count: > 0 } self
                && ExecutableSearch.Find(configured.Command[0], repository.Root) is null
                ? self
                : configured.Command,
        };
        if (!settings.IsCluster)
        {
            return options.Jobs is null ? null : throw new PerfloopException($"{Mention.Input("jobs")} goes with a cluster executor ({Mention.Input("executor")} slurm, or \"executor\": {{ \"kind\": \"slurm\" }} in {PerfloopConfig.FileName})");
        }

        return options.Source is PatchFolder
            ? settings.Validated()
            : throw new PerfloopException($"a cluster evaluates a queue of patches ({Mention.Input("candidates")} DIR); an agent's or the knob explorer's candidates are made one at a time on this machine ({Mention.Input("executor")} local)");
    }

    /// <summary>
    /// The patch queue as cluster jobs: the coordinator holds the repository lock, calibrates when needed, submits up to
    /// the jobs in flight and decides in queue order (docs/cluster.md). The session policies of the serial loop
    /// (rotation, plateau, milestones) do not apply: a queue is judged whole.
    /// </summary>
    static async Task<SessionSummary> RunOnClusterAsync(EngineServices services, RunLoopOptions options, ExecutorSettings settings, CancellationToken cancellationToken)
    {
        var folder = ((PatchFolder)options.Source).Folder;
        var queue = await PatchSeries.LoadAsync(folder, services.Runner, cancellationToken);
        await using var context = await ExperimentContext.OpenAsync(services, options.Directory, "perfloop run --executor slurm", cancellationToken);
        context.RequireGuardOrWaiver(options.WithoutGuard);
        if (options.AllowDirty)
        {
            throw new PerfloopException($"{Mention.Input("allow-dirty")} is for the serial loop; commit or stash your changes before a cluster run, whose jobs take the committed tree");
        }

        var before = context.Ledger.Rows.Count;
        await ClusterSession.RunAsync(context, queue.Patches, "patches:" + folder, settings, cancellationToken);
        return new SessionSummary(context.Root, context.Ledger.Path, context.Ledger.Rows.Skip(before).ToList());
    }

    static async Task<IImplementer> ImplementerAsync(EngineServices services, RunLoopOptions options, CancellationToken cancellationToken)
    {
        switch (options.Source)
        {
            case PatchFolder queue:
                return await PatchSeries.LoadAsync(queue.Folder, services.Runner, cancellationToken);
            case AgentCommand agent:
                if (agent.Timeout <= TimeSpan.Zero || agent.Timeout > TimeSpan.FromSeconds(1e7))
                {
                    throw new PerfloopException($"{Mention.Input("agent-timeout")}: must be a positive number of seconds (below 10 million)");
                }

                return await AgentImplementer.OpenAsync(services.Runner, options.Directory, new AgentSettings(agent.Command, agent.Timeout), agent.TargetsFile, cancellationToken);
            case RuntimeKnobs:
                var explorer = KnobExplorer.Plan((await GitRepository.OpenAsync(services.Runner, options.Directory, cancellationToken)).Root);
                services.Reporter.Detail($"[knobs] {explorer.Candidates.Count} settings to try in {explorer.ProjectFile}: {string.Join(", ", explorer.Candidates.Select(c => $"{c.Knob.Name}={c.Knob.TryValue}"))}");
                foreach (var skipped in explorer.Skipped)
                {
                    services.Reporter.Detail($"[knobs] skipped {skipped}");
                }

                return explorer;
            default:
                throw new ArgumentException("unknown candidate source", nameof(options));
        }
    }
}
