using System.CommandLine;
using Perfloop.Cli.Rendering;
using Perfloop.UseCases;

namespace Perfloop.Cli.Commands;

static class VerdictCommand
{
    public static Command Create()
    {
        var experiment = NumberOption.Argument<int>("N", "Experiment number (the first column of .perfloop/results.tsv)", n => n >= 0, "must be an experiment number (a whole number, 0 or more)");
        var directory = Cli.DirectoryOption("Repository (default: the current directory)");
        var json = new Option<bool>("--json") { Description = "Print the verdict as JSON on stdout" };
        var command = new Command("verdict", "Recompute an experiment's verdict from its kept samples (.perfloop/experiments/N/samples.tsv)")
        {
            experiment, directory, json,
        };
        command.SetAction((parse, cancellationToken) => CommandLine.GuardAsync(async () =>
        {
            var verdict = await Queries.VerdictAsync(Cli.Services(), new VerdictOptions(parse.Directory(directory), parse.GetValue(experiment)), cancellationToken);
            Console.Out.WriteLine(parse.GetValue(json) ? MeasurementRendering.VerdictJson(verdict) : MeasurementRendering.VerdictLine(verdict));
            return 0;
        }, cancellationToken));
        return command;
    }
}
