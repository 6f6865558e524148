using System.CommandLine;
using Perfloop.Cli.Rendering;
using Perfloop.UseCases;

namespace Perfloop.Cli.Commands;

static class HistoryCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the review as JSON (schema perfloop.history/v1) on stdout" };
        var directory = Cli.DirectoryOption("Repository (default: the current directory)");
        var command = new Command("history", "Review the experiment history: where improving commits cluster (focus), what failed 3+ times (avoid), techniques that worked")
        {
            json, directory,
        };
        command.SetAction((parse, cancellationToken) => CommandLine.GuardAsync(async () =>
        {
            var review = await Queries.HistoryAsync(Cli.Services(machineOutput: true), new RepositoryOptions(parse.Directory(directory)), cancellationToken);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(review);
            }
            else
            {
                Console.Write(review.ToMarkdown());
            }

            return 0;
        }, cancellationToken));
        return command;
    }
}
