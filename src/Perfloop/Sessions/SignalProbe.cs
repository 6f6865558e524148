using Perfloop.Configuration;
using Perfloop.Errors;
using Perfloop.Measurement;
using Perfloop.Policies;
using Perfloop.Processes;

namespace Perfloop.Sessions;

/// <summary>Measures the escalation signals that need a run or a file: baseline wall/CPU, startup time, scaling.</summary>
public sealed class SignalProbe(IProcessRunner runner, PerfloopConfig config)
{
    const int StartupRuns = 5;

    /// <summary>Medians of the baseline's A/A samples (both sides ran the unchanged code).</summary>
    public static (double? WallMs, double? CpuMs) BaselineMedians(string samplesPath)
    {
        if (!File.Exists(samplesPath))
        {
            return (null, null);
        }

        var samples = SampleTable.Parse(File.ReadAllText(samplesPath));
        var wall = samples.Select(s => s.WallMs).ToList();
        var cpu = samples.Where(s => s.CpuMs is not null).Select(s => s.CpuMs!.Value).ToList();
        return (wall.Count > 0 ? Median(wall) : null, cpu.Count > 0 ? Median(cpu) : null);
    }

    /// <summary>The baseline's A/A runs' wall/CPU relation with contention taken out; null without samples.</summary>
    public static OffCpuSummary? BaselineOffCpu(string samplesPath, int cores)
    {
        if (!File.Exists(samplesPath))
        {
            return null;
        }

        var samples = SampleTable.Parse(File.ReadAllText(samplesPath));
        return samples.Count == 0 ? null : ContentionEvidence.Summarize(samples, cores);
    }

    public async Task<EscalationSignals> MeasureAsync(string directory, string samplesPath, RuntimeFigures? runtime, CancellationToken cancellationToken)
    {
        var (wall, cpu) = BaselineMedians(samplesPath);
        double? startup = null;
        if (config.Escalation.StartupCommand is { } command)
        {
            startup = await MedianWallAsync(command, directory, StartupRuns, "$.escalation.startupCommand", cancellationToken);
        }

        ScalingFit? scaling = null;
        if (config.Scaling is { } settings)
        {
            var times = new List<double>();
            foreach (var size in settings.Sizes)
            {
                var sized = settings.Command.Replace("{n}", size.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
                times.Add(await MedianWallAsync(sized, directory, settings.Runs, "$.scaling.command", cancellationToken));
            }

            scaling = ScalingFit.Fit(settings.Sizes, times);
        }

        return new EscalationSignals
        {
            WallMs = wall,
            CpuMs = cpu,
            OffCpu = BaselineOffCpu(samplesPath, Environment.ProcessorCount),
            Runtime = runtime,
            StartupMs = startup,
            Scaling = scaling,
        };
    }

    async Task<double> MedianWallAsync(string command, string directory, int runs, string key, CancellationToken cancellationToken)
    {
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var spec = CommandSpec.Shell(command, directory) with { Timeout = TimeSpan.FromSeconds(config.Timeouts.BenchSeconds) };
            var result = await runner.RunAsync(spec, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            if (!result.Succeeded)
            {
                throw new PerfloopException($"{PerfloopConfig.FileName}: {key}: '{command}' failed (exit code {result.ExitCode}{(result.TimedOut ? ", timed out" : "")}); fix the command or remove the key", ExitCodes.Failure);
            }

            times.Add(result.WallTime.TotalMilliseconds);
        }

        return Median(times);
    }

    static double Median(List<double> values) => Statistics.Median.Of(values) ?? double.NaN;
}
