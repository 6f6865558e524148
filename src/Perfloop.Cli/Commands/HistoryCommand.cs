using System.CommandLine;
using Perfloop.Cli.Rendering;
using Perfloop.Policies;
using Perfloop.Processes;

namespace Perfloop.Cli.Commands;

static class HistoryCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the review as JSON (schema perfloop.history/v1) on stdout" };
        var directory = new Option<string>("--dir") { Description = "Repository (default: the current directory)", DefaultValueFactory = _ => "." };
        var command = new Command("history", "Review the experiment history: where improving commits cluster (focus), what failed 3+ times (avoid), techniques that worked")
        {
            json, directory,
        };
        command.SetAction((parse, cancellationToken) => CommandLine.GuardAsync(async () =>
        {
            var review = await HistoryReview.ForDirectoryAsync(new ProcessRunner(), Path.GetFullPath(parse.GetValue(directory)!), cancellationToken);
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
