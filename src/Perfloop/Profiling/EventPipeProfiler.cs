using Perfloop.Processes;
using Perfloop.Ranking;

namespace Perfloop.Profiling;

/// <summary>
/// .NET under EventPipe CPU sampling, set up through environment variables only (no tool to install, no change to
/// the program): every .NET process the command starts writes its own trace, and the busiest one is kept.
/// </summary>
public sealed class EventPipeProfiler : IRuntimeProfiler
{
    /// <summary>
    /// Runtime keywords: GC (0x1: GC start/stop, suspensions, allocation ticks at verbose level), Loader (0x8)
    /// and JIT (0x10) so methods resolve to names, Stack (0x40000000) so allocation ticks carry call stacks.
    /// </summary>
    public const string RuntimeKeywords = "0x40000019";

    public BenchRuntime Runtime => BenchRuntime.DotNet;

    public string Tool => "EventPipe";

    public static IReadOnlyDictionary<string, string?> Environment(string outputPattern) => new Dictionary<string, string?>
    {
        ["DOTNET_EnableEventPipe"] = "1",
        ["DOTNET_EventPipeOutputPath"] = outputPattern,
        ["DOTNET_EventPipeConfig"] = $"Microsoft-DotNETCore-SampleProfiler:0:5,Microsoft-Windows-DotNETRuntime:{RuntimeKeywords}:5",
    };

    public string? WhyUnavailable(IProgramProbe probe, string directory) => null;

    public CommandSpec Prepare(RecordingPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return plan.Unchanged() with { Environment = Environment(Path.Combine(plan.Scratch, "trace-{pid}.nettrace")) };
    }

    public Task<Recording?> CollectAsync(IProcessRunner runner, RecordingPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var files = Profilers.Largest(plan.Scratch, "*.nettrace");
        if (files.Count == 0)
        {
            return Task.FromResult<Recording?>(null);
        }

        var profile = NettraceReader.Read(files[0].FullName);
        return Task.FromResult<Recording?>(new Recording(files[0].FullName, ".nettrace", profile with { Notes = Profilers.Busiest(profile, files.Count, files[0].Name) }));
    }

    public string NothingWritten(RecordingPlan plan) =>
        "no .NET trace was written: the command is not a .NET program, or it exited before the runtime started";
}
