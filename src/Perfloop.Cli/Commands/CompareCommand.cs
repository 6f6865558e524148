using System.CommandLine;
using Perfloop.Cli.Rendering;
using Perfloop.Compare;
using Perfloop.Configuration;
using Perfloop.Errors;
using Perfloop.Git;
using Perfloop.Processes;

namespace Perfloop.Cli.Commands;

static class CompareCommand
{
    static readonly string[] Formats = ["console", "md", "json"];

    public static Command Create()
    {
        var baseRef = new Argument<string>("BASE") { Description = "The ref to compare against (commit, branch or tag)" };
        var headRef = new Argument<string>("HEAD") { Description = "The ref under test" };
        var bench = new Option<string[]>("--bench") { Description = "Shell command that runs a benchmark (repeatable; default: bench in perfloop.json)" };
        var build = new Option<string?>("--build") { Description = "Shell command that builds each side (default: build in perfloop.json)" };
        var format = new Option<string>("--format") { Description = "Output: console, md (a pull-request comment) or json (perfloop.compare/v1)", DefaultValueFactory = _ => "console" };
        format.AcceptOnlyFromAmong(Formats);
        var output = new Option<string?>("--output") { Description = "Write the report to this file instead of stdout" };
        var failOnRegression = new Option<bool>("--fail-on-regression") { Description = "Exit 3 when a benchmark is significantly worse beyond the threshold" };
        var directory = new Option<string>("--dir") { Description = "Repository (default: the current directory)", DefaultValueFactory = _ => "." };

        var command = new Command("compare", "Compare two refs end to end: each built in its own worktree, benchmarked interleaved, judged with an interval")
        {
            baseRef, headRef, bench, build, format, output, failOnRegression, directory,
        };
        command.SetAction((parse, cancellationToken) => CommandLine.GuardAsync(async () =>
        {
            var runner = new ProcessRunner();
            var repository = await GitRepository.OpenAsync(runner, Path.GetFullPath(parse.GetValue(directory)!), cancellationToken);
            var benchmarks = parse.GetValue(bench) ?? [];
            var config = File.Exists(ConfigStore.PathIn(repository.Root))
                ? ConfigStore.Load(repository.Root)
                : benchmarks.Length > 0
                    ? new PerfloopConfig { Bench = benchmarks[0] }
                    : throw new PerfloopException($"no {PerfloopConfig.FileName} in {repository.Root} and no --bench; pass --bench CMD (and --build CMD), or run 'perfloop init'");

            // Worktrees a killed compare or loop left behind; this verb owns the repository while it runs.
            await repository.PruneWorktreesAsync(cancellationToken);
            var progress = ConsoleProgress.ForStandardError();
            var request = new CompareRequest(parse.GetValue(baseRef)!, parse.GetValue(headRef)!) { Benchmarks = benchmarks, Build = parse.GetValue(build) };
            CompareReport report;
            try
            {
                report = await EndToEndComparer.CompareAsync(repository, config, request, progress, cancellationToken);
            }
            finally
            {
                progress.EndLine();
            }

            var text = parse.GetValue(format) switch
            {
                "md" => CompareFormatter.Markdown(report),
                "json" => CompareFormatter.Json(report),
                _ => CompareFormatter.Console(report),
            };
            if (parse.GetValue(output) is { } file)
            {
                await File.WriteAllTextAsync(file, text, cancellationToken);
                await Console.Error.WriteLineAsync($"perfloop: report written to {file}");
            }
            else
            {
                await Console.Out.WriteAsync(text);
            }

            await Console.Error.WriteLineAsync($"perfloop: {CompareFormatter.Conclusion(report)}");
            return report.HasFailure ? ExitCodes.Failure
                : parse.GetValue(failOnRegression) && report.HasRegression ? ExitCodes.Regression
                : ExitCodes.Success;
        }, cancellationToken));
        return command;
    }
}
