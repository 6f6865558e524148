using Perfloop.Configuration;
using Perfloop.Errors;
using Perfloop.Git;
using Perfloop.Processes;

namespace Perfloop.Init;

public sealed record InitOptions(string Directory, string Bench)
{
    public string? Build { get; init; }

    public IReadOnlyList<string> Oracles { get; init; } = [];

    public IReadOnlyList<string> OracleFiles { get; init; } = [];

    public string? Guard { get; init; }

    public string Domain { get; init; } = "cpu";

    public bool Force { get; init; }

    /// <summary>Targets with micro-benchmarks or profile shares, written to perfloop.json as given.</summary>
    public IReadOnlyList<TargetSettings> Targets { get; init; } = [];
}

public sealed record InitResult(string RepositoryRoot, string ConfigPath, string ConventionsPath);

/// <summary>Sets a repository up for the loop: perfloop.json, .perfloop/conventions.md, and .perfloop/ kept out of git.</summary>
public static class ProjectInitializer
{
    public static async Task<InitResult> InitAsync(IProcessRunner runner, InitOptions options, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(options.Bench))
        {
            throw new PerfloopException("--bench: the benchmark command is empty; give the command that runs your benchmark, e.g. --bench \"./bench.sh\"");
        }

        if (Domains.Domains.Find(options.Domain) is null)
        {
            throw new PerfloopException($"--domain: unknown domain '{options.Domain}'; use one of {Domains.Domains.Names}");
        }

        var repository = await GitRepository.OpenAsync(runner, options.Directory, cancellationToken);
        var configPath = ConfigStore.PathIn(repository.Root);
        if (File.Exists(configPath) && !options.Force)
        {
            throw new PerfloopException($"{configPath} already exists; edit it, or re-run init with --force to overwrite it");
        }

        var config = new PerfloopConfig
        {
            Domain = Domains.Domains.Find(options.Domain)!.Name,
            Build = string.IsNullOrWhiteSpace(options.Build) ? null : options.Build,
            Bench = options.Bench,
            Oracles = options.Oracles.Select(o => new OracleSpec { Command = o, Files = options.OracleFiles }).ToList(),
            Targets = options.Targets,
        };
        ConfigStore.Save(repository.Root, config);

        Directory.CreateDirectory(PerfloopPaths.StateDirectory(repository.Root));
        var conventionsPath = Conventions.PathIn(repository.Root);
        await File.WriteAllTextAsync(conventionsPath, Conventions.Render(options.Guard, config.Domain), cancellationToken);
        await repository.ExcludeAsync(PerfloopPaths.StateDirectoryName + "/", cancellationToken);
        return new InitResult(repository.Root, configPath, conventionsPath);
    }
}
