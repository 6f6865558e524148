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

    /// <summary>The metric to judge on (<c>metric</c> in perfloop.json); null: the domain's, or a BenchmarkDotNet project's median.</summary>
    public MetricSettings? Metric { get; init; }

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
        if (Domains.Domains.Find(options.Domain) is null)
        {
            throw new PerfloopException($"{Mention.Input("domain")}: unknown domain '{options.Domain}'; use one of {Domains.Domains.Names}");
        }

        var repository = await GitRepository.OpenAsync(runner, options.Directory, cancellationToken);
        if (string.IsNullOrWhiteSpace(options.Bench))
        {
            throw new PerfloopException(MissingBench(BenchmarkDotNetDiscovery.Find(repository.Root)));
        }

        var configPath = ConfigStore.PathIn(repository.Root);
        if (File.Exists(configPath) && !options.Force)
        {
            throw new PerfloopException($"{configPath} already exists; edit it, or re-run init with {Mention.Input("force")} to overwrite it");
        }

        var config = new PerfloopConfig
        {
            Domain = Domains.Domains.Find(options.Domain)!.Name,
            Build = string.IsNullOrWhiteSpace(options.Build) ? null : options.Build,
            Bench = options.Bench,
            Guard = string.IsNullOrWhiteSpace(options.Guard) ? null : options.Guard.Trim(),
            Oracles = options.Oracles.Select(o => new OracleSpec { Command = o, Files = options.OracleFiles }).ToList(),
            Targets = options.Targets,
            Metric = options.Metric,
        };
        if (options.Metric is null && BenchmarkDotNetDiscovery.RunBy(BenchmarkDotNetDiscovery.Find(repository.Root), options.Bench) is not null)
        {
            // A BenchmarkDotNet run: judge its per-operation median from the JSON export, not the run's wall time
            // (which is mostly BenchmarkDotNet's own build, pilot and warm-up).
            config = config with
            {
                Metrics = new MetricSourceSettings { BenchmarkDotNet = BenchmarkDotNetProject.ResultsDirectory },
                Metric = new MetricSettings { Name = Measurement.BenchmarkDotNetReport.Prefix + Measurement.BenchmarkDotNetReport.MedianSuffix, Goal = "lower" },
            };
        }

        // Checked like a hand-written file (an unknown metric without a goal, say), before anything is written.
        ConfigStore.Save(repository.Root, config);

        Directory.CreateDirectory(PerfloopPaths.StateDirectory(repository.Root));
        var conventionsPath = Conventions.PathIn(repository.Root);
        await File.WriteAllTextAsync(conventionsPath, Conventions.Render(options.Guard, config.Domain), cancellationToken);
        await repository.ExcludeAsync(PerfloopPaths.StateDirectoryName + "/", cancellationToken);
        return new InitResult(repository.Root, configPath, conventionsPath);
    }

    /// <summary>What to say when no benchmark command was given: the BenchmarkDotNet project to use, when the repository has them.</summary>
    public static string MissingBench(IReadOnlyList<BenchmarkDotNetProject> found) => found.Count switch
    {
        0 => $"{Mention.Input("bench")}: give the command that runs your benchmark, e.g. {Mention.Input("bench")} \"./bench.sh\"",
        1 => $"{Mention.Input("bench")}: not given; this repository has a BenchmarkDotNet project ({found[0].ProjectPath}{Classes(found[0])}): re-run with {Mention.Input("bench")} \"{found[0].SuggestedBench}\"",
        _ => $"{Mention.Input("bench")}: not given; this repository has {found.Count} BenchmarkDotNet projects ({string.Join(", ", found.Select(p => p.ProjectPath))}): pick one, e.g. {Mention.Input("bench")} \"{found[0].SuggestedBench}\"",
    };

    static string Classes(BenchmarkDotNetProject project) => project.BenchmarkClasses.Count switch
    {
        0 => ", no [Benchmark] methods found",
        _ => $", benchmarks in {string.Join(", ", project.BenchmarkClasses)}",
    };
}
