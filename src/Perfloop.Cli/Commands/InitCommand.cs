using System.CommandLine;
using Perfloop.Init;
using Perfloop.UseCases;

namespace Perfloop.Cli.Commands;

static class InitCommand
{
    public static Command Create()
    {
        var bench = new Option<string>("--bench") { Description = "Shell command that runs the benchmark (when omitted, init suggests the repository's BenchmarkDotNet project)" };
        var build = new Option<string?>("--build") { Description = "Shell command that builds the program" };
        var oracle = new Option<string[]>("--oracle") { Description = "Shell command whose output must never change (repeatable)" };
        var oracleFile = new Option<string[]>("--oracle-file") { Description = "File the oracle commands write that must stay identical (repeatable)" };
        var guard = new Option<string?>("--guard") { Description = "Shell command that must pass after every candidate (your tests)" };
        var domain = new Option<string>("--domain") { Description = $"What to optimize: {Domains.Domains.Names}", DefaultValueFactory = _ => "cpu" };
        var metric = new Option<string?>("--metric") { Description = "Metric to judge on: wall_ms, cpu_ms, instructions, peak_rss_mb, or a METRIC line of your bench (default: the domain's)" };
        var goal = new Option<string?>("--goal") { Description = "With --metric: lower or higher is better (required for a metric Perfloop does not know)" };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing perfloop.json" };
        var directory = Cli.DirectoryOption("Repository to set up (default: the current directory)");

        var command = new Command("init", "Set up perfloop.json and .perfloop/conventions.md in a git repository")
        {
            bench, build, oracle, oracleFile, guard, domain, metric, goal, force, directory,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(goal) is not null && result.GetValue(metric) is null)
            {
                result.AddError("--goal needs --metric: it says which way the named metric is better");
            }
        });
        command.SetAction((parse, cancellationToken) => CommandLine.GuardAsync(async () =>
        {
            var result = await Tools.InitAsync(Cli.Services(), new InitOptions(parse.Directory(directory), parse.GetValue(bench) ?? "")
            {
                Build = parse.GetValue(build),
                Oracles = parse.GetValue(oracle) ?? [],
                OracleFiles = parse.GetValue(oracleFile) ?? [],
                Guard = parse.GetValue(guard),
                Domain = parse.GetValue(domain)!,
                Metric = parse.GetValue(metric) is { } name ? new Configuration.MetricSettings { Name = name, Goal = parse.GetValue(goal) } : null,
                Force = parse.GetValue(force),
            }, cancellationToken);
            Console.WriteLine($"wrote {Path.GetRelativePath(Environment.CurrentDirectory, result.ConfigPath)} and {Path.GetRelativePath(Environment.CurrentDirectory, result.ConventionsPath)}");
            Console.WriteLine($"next: git add {Configuration.PerfloopConfig.FileName} && git commit -m \"perfloop config\"");
            Console.WriteLine("then: perfloop run --candidates DIR   (a folder of git format-patch files)");
            return 0;
        }, cancellationToken));
        return command;
    }
}
