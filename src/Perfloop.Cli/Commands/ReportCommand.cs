using System.CommandLine;
using Perfloop.Configuration;
using Perfloop.Errors;
using Perfloop.Git;
using Perfloop.Journal;
using Perfloop.Processes;
using Perfloop.Reports;

namespace Perfloop.Cli.Commands;

static class ReportCommand
{
    public static Command Create()
    {
        var html = new Option<string?>("--html") { Description = "Write a self-contained HTML report (charts inline, works offline) to FILE" };
        var markdown = new Option<string?>("--md") { Description = "Write the markdown report to FILE ('-' for stdout; the default when no --html)" };
        var results = new Option<string?>("--results") { Description = "Read this results.tsv instead of the repository's .perfloop/results.tsv" };
        var title = new Option<string?>("--title") { Description = "Title of the report (default: Perfloop session in <repository>)" };
        var directory = new Option<string>("--dir") { Description = "Repository (default: the current directory)", DefaultValueFactory = _ => "." };
        var command = new Command("report", "Render .perfloop/results.tsv as an HTML page with charts and/or a markdown summary")
        {
            html, markdown, results, title, directory,
        };
        command.SetAction((parse, cancellationToken) => CommandLine.GuardAsync(async () =>
        {
            var (path, name) = await LocateAsync(parse.GetValue(results), Path.GetFullPath(parse.GetValue(directory)!), cancellationToken);
            var rows = ResultsTable.Read(path);
            if (rows.Count == 0)
            {
                throw new PerfloopException($"{path} has no experiments yet; run 'perfloop run' first");
            }

            var report = SessionReport.Build(rows, parse.GetValue(title) ?? $"Perfloop session in {name}");
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

    /// <summary>The results file and a name for the title: an explicit file, or the repository's .perfloop/results.tsv.</summary>
    static async Task<(string Path, string Name)> LocateAsync(string? results, string directory, CancellationToken cancellationToken)
    {
        if (results is not null)
        {
            var file = Path.GetFullPath(results);
            return File.Exists(file)
                ? (file, Path.GetFileName(Path.GetDirectoryName(file)) ?? file)
                : throw new PerfloopException($"--results: file not found: {file}");
        }

        var repository = await GitRepository.OpenAsync(new ProcessRunner(), directory, cancellationToken);
        var path = PerfloopPaths.Results(repository.Root);
        return File.Exists(path)
            ? (path, Path.GetFileName(repository.Root))
            : throw new PerfloopException($"no {Path.GetRelativePath(repository.Root, path)} in {repository.Root}; run 'perfloop run' first, or pass --results FILE");
    }
}
