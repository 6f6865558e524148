using System.Text.Json;
using Perfloop.Configuration;
using Perfloop.Errors;
using Perfloop.Git;
using Perfloop.Init;
using Perfloop.Processes;
using Perfloop.Profiling;
using Perfloop.Storage;

namespace Perfloop.Demo;

/// <summary>One file of the embedded demo: its path relative to the sample root, and how to read it.</summary>
public sealed record DemoFile(string RelativePath, Func<Stream> Open);

/// <summary>
/// The commands the sample declares in its <c>demo.json</c>, passed to init as a user would; <paramref name="Targets"/>
/// go into perfloop.json, and <paramref name="ProfileBench"/> profiles the bench once so fidelity can be checked.
/// </summary>
public sealed record DemoCommands(
    string Bench,
    string? Build,
    IReadOnlyList<string> Oracles,
    string? Guard,
    string Domain,
    MetricSettings? Metric = null,
    IReadOnlyList<TargetSettings>? Targets = null,
    bool ProfileBench = false);

/// <summary>The prepared demo: its repository, its patch queue, and what the profile of its bench found (when made).</summary>
public sealed record DemoLayout(string RepositoryDirectory, string CandidatesDirectory, string? ProfileSummary = null);

/// <summary>
/// Lays the embedded sample out as a fresh git repository (<c>app/</c> becomes the repository, <c>candidates/</c>
/// the patch queue kept under <c>.perfloop/</c>) and runs init on it.
/// </summary>
public static class DemoSetup
{
    public static async Task<DemoLayout> PrepareAsync(IProcessRunner runner, IReadOnlyList<DemoFile> files, string directory, CancellationToken cancellationToken)
    {
        if (Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any())
        {
            throw new PerfloopException($"{Mention.Input("dir")}: {directory} is not empty; give a new or empty directory");
        }

        Directory.CreateDirectory(directory);
        var candidates = Path.Combine(directory, ".perfloop", "candidates");
        DemoCommands? commands = null;
        foreach (var file in files)
        {
            string? target = null;
            if (file.RelativePath.StartsWith("app/", StringComparison.Ordinal))
            {
                target = Path.Combine(directory, file.RelativePath["app/".Length..]);
            }
            else if (file.RelativePath.StartsWith("candidates/", StringComparison.Ordinal))
            {
                target = Path.Combine(candidates, file.RelativePath["candidates/".Length..]);
            }
            else if (file.RelativePath == "demo.json")
            {
                await using var stream = file.Open();
                commands = await JsonSerializer.DeserializeAsync<DemoCommands>(stream, JsonFormats.Config, cancellationToken);
            }

            if (target is not null)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                await using var source = file.Open();
                await using var destination = File.Create(target);
                await source.CopyToAsync(destination, cancellationToken);
            }
        }

        if (commands is null)
        {
            throw new PerfloopException("the embedded demo has no demo.json; this build of perfloop is broken", ExitCodes.Failure);
        }

        await GitRepository.InitAndCommitAllAsync(runner, directory, "Demo program: text statistics with a few slow spots", cancellationToken);
        await ProjectInitializer.InitAsync(runner, new InitOptions(directory, commands.Bench)
        {
            Build = commands.Build,
            Oracles = commands.Oracles,
            Guard = commands.Guard,
            Domain = commands.Domain,
            Metric = commands.Metric,
            Targets = commands.Targets ?? [],
        }, cancellationToken);
        var repository = await GitRepository.OpenAsync(runner, directory, cancellationToken);
        await repository.CommitAsync([PerfloopConfig.FileName], "Perfloop configuration for the demo", cancellationToken);
        var profile = commands.ProfileBench ? await ProfileBenchAsync(runner, directory, commands, cancellationToken) : null;
        return new DemoLayout(directory, candidates, profile);
    }

    /// <summary>
    /// Builds the demo and runs its bench once under EventPipe sampling, exactly as
    /// <c>perfloop profile -- &lt;bench&gt;</c> does, leaving <c>.perfloop/bottlenecks.json</c>: the profile the fidelity
    /// check reads. Build output is ignored by git, so the tree stays clean.
    /// </summary>
    static async Task<string> ProfileBenchAsync(IProcessRunner runner, string directory, DemoCommands commands, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(commands.Build))
        {
            var build = await runner.RunAsync(CommandSpec.Shell(commands.Build, directory) with { Timeout = TimeSpan.FromMinutes(15) }, cancellationToken);
            if (!build.Succeeded)
            {
                throw new PerfloopException($"the demo does not build ({commands.Build} exited with {build.ExitCode}); is the .NET SDK installed?", ExitCodes.Failure);
            }
        }

        var outcome = await ProfileRecorder.RecordAndRankAsync(runner, new ProfileRequest(directory, [commands.Bench]) { Timeout = TimeSpan.FromMinutes(10) }, cancellationToken);
        var ranking = outcome.Ranking.Ranking;
        var top = string.Join(", ", ranking.Targets.Take(3).Select(f => $"{f.Function} {f.TotalPercent:0}%"));
        return $"profiled the bench ('perfloop profile -- {commands.Bench}'): {ranking.Profile.TotalWeight:0} samples, top {top} → .perfloop/bottlenecks.json";
    }
}
