using System.CommandLine;
using Perfloop.Cli.Rendering;
using Perfloop.Compare;
using Perfloop.Errors;
using Perfloop.UseCases;

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
        var directory = Cli.DirectoryOption("Repository (default: the current directory)");

        var command = new Command("compare", "Compare two refs end to end: each built in its own worktree, benchmarked interleaved, judged with an interval")
        {
            baseRef, headRef, bench, build, format, output, failOnRegression, directory,
        };
        command.SetAction((parse, cancellationToken) => CommandLine.GuardAsync(async () =>
        {
            var progress = ConsoleProgress.ForStandardError();
            CompareReport report;
            try
            {
                report = await CompareRefs.RunAsync(Cli.Services(machineOutput: true), new CompareOptions(parse.Directory(directory), parse.GetValue(baseRef)!, parse.GetValue(headRef)!)
                {
                    Benchmarks = parse.GetValue(bench) ?? [],
                    Build = parse.GetValue(build),
                    Progress = progress,
                }, cancellationToken);
            }
            finally
            {
                progress.EndLine();
            }

            var text = parse.GetValue(format) switch
            {
                "md" => CompareFormatter.Markdown(report),
                "json" => CompareFormatter.Json(report),
                _ => CompareConsole.Render(report),
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
