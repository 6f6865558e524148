using System.CommandLine;
using Perfloop.Cli.Rendering;
using Perfloop.Measurement;
using Perfloop.UseCases;

namespace Perfloop.Cli.Commands;

static class CalibrateCommand
{
    public static Command Create()
    {
        var directory = Cli.DirectoryOption("Repository to calibrate (default: the current directory)");
        var runs = NumberOption.Optional<int>("--runs", "Run pairs to measure (default: measurement.calibrationRuns in perfloop.json)", n => n is >= 3 and <= 100_000, "must be a whole number of run pairs from 3 to 100000");
        var json = new Option<bool>("--json") { Description = "Print the report as JSON on stdout (progress stays on stderr)" };
        var command = new Command("calibrate", "Measure this machine's noise for the benchmark: HEAD against itself (A/A), and the keep threshold it implies")
        {
            directory, runs, json,
        };
        command.SetAction((parse, cancellationToken) => CommandLine.GuardAsync(async () =>
        {
            var report = await Queries.CalibrateAsync(Cli.Services(machineOutput: true), new CalibrateOptions(parse.Directory(directory), parse.GetValue(runs), new StderrProgress()), cancellationToken);
            Console.Out.Write(parse.GetValue(json) ? MeasurementRendering.CalibrationJson(report) + "\n" : MeasurementRendering.CalibrationText(report));
            return 0;
        }, cancellationToken));
        return command;
    }

    sealed class StderrProgress : IMeasurementProgress
    {
        public void PairMeasured(int pairs, int maxPairs) => Console.Error.WriteLine($"[calibrate] {pairs}/{maxPairs} pairs");
    }
}
