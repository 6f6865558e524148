using Perfloop.Errors;
using Perfloop.Experiments;
using Perfloop.Git;
using Perfloop.Implementers;
using Perfloop.Implementers.Knobs;
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
}

/// <summary>The experiment loop over a source of candidates, until they run out or a policy stops it.</summary>
public static class RunLoop
{
    public static async Task<SessionSummary> RunAsync(EngineServices services, RunLoopOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
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
