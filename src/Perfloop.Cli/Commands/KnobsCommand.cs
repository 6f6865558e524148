using System.CommandLine;
using Perfloop.Cli.Rendering;
using Perfloop.UseCases;

namespace Perfloop.Cli.Commands;

static class KnobsCommand
{
    public static Command Create()
    {
        var directory = Cli.DirectoryOption("Repository to audit (default: the current directory)");
        var json = new Option<bool>("--json") { Description = "Print the findings as JSON on stdout" };
        var audit = new Command("audit", "Re-measure every runtime knob the project sets: HEAD against HEAD with that knob back at its default; flags knobs now pointless or harmful")
        {
            directory, json,
        };
        audit.SetAction((parse, cancellationToken) => CommandLine.GuardAsync(async () =>
        {
            var progress = ConsoleProgress.ForStandardError();
            var audit = await Tools.AuditKnobsAsync(Cli.Services(machineOutput: true), new KnobAuditOptions(parse.Directory(directory), progress), cancellationToken);
            progress.EndLine();
            if (parse.GetValue(json))
            {
                JsonOutput.Write(audit.Entries);
            }
            else if (audit.Entries.Count == 0)
            {
                Console.WriteLine($"no runtime knob is set away from its default in {Path.GetFileName(audit.ProjectFile)}");
            }
            else
            {
                foreach (var entry in audit.Entries)
                {
                    Console.WriteLine($"{entry.Knob}={entry.Value}: {entry.Finding}");
                }
            }

            return 0;
        }, cancellationToken));
        return new Command("knobs", ".NET runtime/build settings of the benchmarked project (try them with 'perfloop run --knobs')") { audit };
    }
}
