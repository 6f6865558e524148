using System.CommandLine;
using Perfloop.Cli.Rendering;
using Perfloop.Configuration;
using Perfloop.Git;
using Perfloop.Implementers.Knobs;
using Perfloop.Processes;

namespace Perfloop.Cli.Commands;

static class KnobsCommand
{
    public static Command Create()
    {
        var directory = new Option<string>("--dir") { Description = "Repository to audit (default: the current directory)", DefaultValueFactory = _ => "." };
        var json = new Option<bool>("--json") { Description = "Print the findings as JSON on stdout" };
        var audit = new Command("audit", "Re-measure every runtime knob the project sets: HEAD against HEAD with that knob back at its default; flags knobs now pointless or harmful")
        {
            directory, json,
        };
        audit.SetAction((parse, cancellationToken) => CommandLine.GuardAsync(async () =>
        {
            var repository = await GitRepository.OpenAsync(new ProcessRunner(), Path.GetFullPath(parse.GetValue(directory)!), cancellationToken);
            var config = ConfigStore.Load(repository.Root);
            await repository.PruneWorktreesAsync(cancellationToken);
            var entries = await KnobAudit.RunAsync(repository, config, ConsoleProgress.ForStandardError(), cancellationToken);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(entries);
            }
            else if (entries.Count == 0)
            {
                Console.WriteLine($"no runtime knob is set away from its default in {Path.GetFileName(ProjectLocator.Find(repository.Root, config.Build))}");
            }
            else
            {
                foreach (var entry in entries)
                {
                    Console.WriteLine($"{entry.Knob}={entry.Value}: {entry.Finding}");
                }
            }

            return 0;
        }, cancellationToken));
        return new Command("knobs", ".NET runtime/build settings of the benchmarked project (try them with 'perfloop run --knobs')") { audit };
    }
}
