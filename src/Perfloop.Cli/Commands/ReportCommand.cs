using System.CommandLine;
using Perfloop.Errors;
using Perfloop.Reports;
using Perfloop.UseCases;

namespace Perfloop.Cli.Commands;

static class ReportCommand
{
    public static Command Create()
    {
        var html = new Option<string?>("--html") { Description = "Write a self-contained HTML report (charts inline, works offline) to FILE" };
        var markdown = new Option<string?>("--md") { Description = "Write the markdown report to FILE ('-' for stdout; the default when no --html)" };
        var results = new Option<string?>("--results") { Description = "Read this results.tsv instead of the repository's .perfloop/results.tsv" };
        var title = new Option<string?>("--title") { Description = "Title of the report (default: Perfloop session in <repository>)" };
        var directory = Cli.DirectoryOption("Repository (default: the current directory)");
        var command = new Command("report", "Render .perfloop/results.tsv as an HTML page with charts and/or a markdown summary")
        {
            html, markdown, results, title, directory,
        };
        command.SetAction((parse, cancellationToken) => CommandLine.GuardAsync(async () =>
        {
            var report = await Queries.ReportAsync(Cli.Services(machineOutput: true), new ReportOptions(parse.Directory(directory), parse.GetValue(results), parse.GetValue(title)), cancellationToken);
            var htmlPath = parse.GetValue(html);
            var markdownPath = parse.GetValue(markdown) ?? (htmlPath is null ? "-" : null);
            if (htmlPath is not null)
            {
                await File.WriteAllTextAsync(htmlPath, HtmlReport.Render(report), cancellationToken);
                await Console.Error.WriteLineAsync($"perfloop: HTML report written to {htmlPath}");
            }

            if (markdownPath == "-")
            {
                await Console.Out.WriteAsync(MarkdownReport.Render(report));
            }
            else if (markdownPath is not null)
            {
                await File.WriteAllTextAsync(markdownPath, MarkdownReport.Render(report), cancellationToken);
                await Console.Error.WriteLineAsync($"perfloop: markdown report written to {markdownPath}");
            }

            return ExitCodes.Success;
        }, cancellationToken));
        return command;
    }
}
