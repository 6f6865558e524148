using System.CommandLine;
using System.Globalization;
using Perfloop.Cli.Rendering;
using Perfloop.UseCases;

namespace Perfloop.Cli.Commands;

static class StatusCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the status as JSON (schema perfloop.status/v1) on stdout" };
        var directory = Cli.DirectoryOption("Repository (default: the current directory)");
        var command = new Command("status", "Where the session stands: experiment number, counts, rotation/plateau/stuck state, what to do next")
        {
            json, directory,
        };
        command.SetAction((parse, cancellationToken) => CommandLine.GuardAsync(async () =>
        {
            var status = NextStepWords.Render(await ExperimentSteps.StatusAsync(Cli.Services(machineOutput: true), new RepositoryOptions(parse.Directory(directory)), cancellationToken));
            if (parse.GetValue(json))
            {
                JsonOutput.Write(status);
                return 0;
            }

            var threshold = status.ThresholdPct is { } t ? t.ToString("0.##", CultureInfo.InvariantCulture) + "%"
                : status.MethodologyChange is { } change ? $"to be calibrated again (perfloop.json measures differently from {change})"
                : "not calibrated yet";
            Console.WriteLine($"domain {status.Domain}, metric {status.Metric}, keep threshold {threshold}");
            Console.WriteLine($"experiments: {status.Experiments} ({status.Kept} kept, {status.Discarded} discarded, {status.Crashed} crashed); {status.ConsecutiveDiscards} discards in a row");
            if (status.Active is { } active)
            {
                Console.WriteLine($"in progress: experiment {active.Experiment} ({active.Phase}, driven by {active.Driver}): {active.Target}");
            }
            else
            {
                Console.WriteLine($"next experiment: {status.NextExperiment}");
            }

            Console.WriteLine($"state: {status.State}");
            foreach (var line in status.Cluster?.Lines() ?? [])
            {
                Console.WriteLine(line);
            }

            Console.WriteLine(Errors.Mention.ForCommandLine($"next: {status.Next}"));
            return 0;
        }, cancellationToken));
        return command;
    }
}
