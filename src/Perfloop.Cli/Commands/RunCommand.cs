using System.CommandLine;
using Perfloop.Cli.Rendering;
using Perfloop.Experiments;
using Perfloop.Git;
using Perfloop.Implementers;
using Perfloop.Implementers.Knobs;
using Perfloop.Processes;

namespace Perfloop.Cli.Commands;

static class RunCommand
{
    public static Command Create()
    {
        var candidates = new Option<string>("--candidates") { Description = "Folder of git format-patch files, tried in file-name order" };
        var knobs = new Option<bool>("--knobs") { Description = "Try .NET runtime/build settings (tiered JIT, GC mode, globalization, ...) in the benchmarked project, one per experiment" };
        var maxExperiments = new Option<int?>("--max-experiments") { Description = "Stop after this many experiments" };
        var directory = new Option<string>("--dir") { Description = "Repository to optimize (default: the current directory)", DefaultValueFactory = _ => "." };
        var command = new Command("run", "Run the experiment loop: each candidate is checked, measured, guarded, then kept as a commit or discarded")
        {
            candidates, knobs, maxExperiments, directory,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(candidates) is not null == result.GetValue(knobs))
            {
                result.AddError("give exactly one of --candidates DIR (a patch queue) or --knobs (runtime settings)");
            }

            if (result.GetValue(maxExperiments) is < 1)
            {
                result.AddError("--max-experiments must be at least 1");
            }
        });
        command.SetAction((parse, cancellationToken) => CommandLine.GuardAsync(async () =>
        {
            var root = Path.GetFullPath(parse.GetValue(directory)!);
            IImplementer implementer;
            if (parse.GetValue(knobs))
            {
                var explorer = KnobExplorer.Plan((await GitRepository.OpenAsync(new ProcessRunner(), root, cancellationToken)).Root);
                KnobLines.WritePlan(Console.Error, explorer);
                implementer = explorer;
            }
            else
            {
                implementer = new PatchSeries(Path.GetFullPath(parse.GetValue(candidates)!));
            }

            await RunLoopAsync(root, implementer, parse.GetValue(maxExperiments), cancellationToken);
            return 0;
        }, cancellationToken));
        return command;
    }

    public static async Task<SessionSummary> RunLoopAsync(string directory, IImplementer implementer, int? maxExperiments, CancellationToken cancellationToken)
    {
        var reporter = new ConsoleReporter(Console.Out, Console.Error);
        var session = new ExperimentSession(new ProcessRunner(), reporter, TimeProvider.System);
        var summary = await session.RunAsync(new RunOptions(directory, implementer) { MaxExperiments = maxExperiments }, cancellationToken);
        Console.WriteLine($"done: {summary.Kept} kept of {summary.Experiments} experiments; results in {summary.ResultsPath}");
        return summary;
    }
}
