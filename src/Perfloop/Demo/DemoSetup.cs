using System.Text.Json;
using Perfloop.Errors;
using Perfloop.Git;
using Perfloop.Init;
using Perfloop.Processes;

namespace Perfloop.Demo;

/// <summary>One file of the embedded demo: its path relative to the sample root, and how to read it.</summary>
public sealed record DemoFile(string RelativePath, Func<Stream> Open);

/// <summary>The commands the sample declares in its <c>demo.json</c>, passed to init as a user would.</summary>
public sealed record DemoCommands(string Bench, string? Build, IReadOnlyList<string> Oracles, string? Guard, string Domain);

public sealed record DemoLayout(string RepositoryDirectory, string CandidatesDirectory);

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
            throw new PerfloopException($"--dir: {directory} is not empty; give a new or empty directory");
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
                commands = await JsonSerializer.DeserializeAsync<DemoCommands>(stream, Configuration.ConfigStore.JsonOptions, cancellationToken);
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
        }, cancellationToken);
        var repository = await GitRepository.OpenAsync(runner, directory, cancellationToken);
        await repository.CommitAsync([Configuration.PerfloopConfig.FileName], "Perfloop configuration for the demo", cancellationToken);
        return new DemoLayout(directory, candidates);
    }
}
