using Perfloop.Configuration;
using Perfloop.Errors;
using Perfloop.Processes;

namespace Perfloop.Ranking;

/// <summary>What to profile.</summary>
/// <param name="Directory">Where the command runs; the repository whose .perfloop/ receives the ranking.</param>
/// <param name="Command">The user's command: one element is a shell command line; several are a program and its arguments.</param>
public sealed record ProfileRequest(string Directory, IReadOnlyList<string> Command)
{
    /// <summary>Where the .nettrace goes; default <c>.perfloop/profile.nettrace</c>.</summary>
    public string? TracePath { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(60);

    /// <summary>Receives the command's output lines (stdout and stderr) as they come.</summary>
    public Action<string>? OnOutputLine { get; init; }
}

/// <summary>
/// Runs a command under EventPipe CPU sampling, set up through environment variables only (no external tool,
/// no change to the program), then ranks the trace.
/// </summary>
public static class ProfileRecorder
{
    /// <summary>
    /// Runtime keywords: GC (0x1: GC start/stop, suspensions, allocation ticks at verbose level), Loader (0x8)
    /// and JIT (0x10) so methods resolve to names, Stack (0x40000000) so allocation ticks carry call stacks.
    /// </summary>
    public const string RuntimeKeywords = "0x40000019";

    public static IReadOnlyDictionary<string, string?> EventPipeEnvironment(string outputPattern) => new Dictionary<string, string?>
    {
        ["DOTNET_EnableEventPipe"] = "1",
        ["DOTNET_EventPipeOutputPath"] = outputPattern,
        ["DOTNET_EventPipeConfig"] = $"Microsoft-DotNETCore-SampleProfiler:0:5,Microsoft-Windows-DotNETRuntime:{RuntimeKeywords}:5",
    };

    public sealed record Outcome(ProcessResult Process, string TracePath, RankingWorkflow.Outcome Ranking);

    public static async Task<Outcome> RecordAndRankAsync(IProcessRunner runner, ProfileRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Command.Count == 0)
            throw new PerfloopException("no command to profile; usage: perfloop profile -- CMD [ARGS...]");
        var directory = Path.GetFullPath(request.Directory);
        var (root, _, _) = await RankingWorkflow.LocateAsync(runner, directory, cancellationToken);
        var tracePath = Path.GetFullPath(request.TracePath ?? Path.Combine(PerfloopPaths.StateDirectory(root), "profile.nettrace"));

        // Every .NET process the command starts writes its own trace ({pid}); the busiest one is kept.
        var scratch = Path.Combine(Path.GetTempPath(), $"perfloop-profile-{Guid.NewGuid():N}");
        Directory.CreateDirectory(scratch);
        try
        {
            var spec = (request.Command.Count == 1
                ? CommandSpec.Shell(request.Command[0], directory)
                : new CommandSpec(request.Command[0], [.. request.Command.Skip(1)], directory)) with
            {
                Environment = EventPipeEnvironment(Path.Combine(scratch, "trace-{pid}.nettrace")),
                Timeout = request.Timeout,
                OnStdoutLine = request.OnOutputLine,
                OnStderrLine = request.OnOutputLine,
            };
            ProcessResult result;
            try
            {
                result = await runner.RunAsync(spec, cancellationToken);
            }
            catch (ProcessStartException e)
            {
                throw new PerfloopException($"cannot start '{request.Command[0]}': {e.Message}");
            }
            cancellationToken.ThrowIfCancellationRequested();
            if (result.TimedOut)
                throw new PerfloopException($"the command did not finish within {request.Timeout.TotalMinutes:0} minutes; profile a shorter run", ExitCodes.Failure);

            var trace = new DirectoryInfo(scratch).GetFiles("*.nettrace").OrderByDescending(f => f.Length).FirstOrDefault()
                ?? throw new PerfloopException(
                    "no .NET trace was written: the command is not a .NET program (or exited before the runtime started); profile it with your own profiler and run 'perfloop rank --profile FILE' with a folded-stack or speedscope file");
            Directory.CreateDirectory(Path.GetDirectoryName(tracePath)!);
            File.Move(trace.FullName, tracePath, overwrite: true);
            var ranking = await RankingWorkflow.RankAsync(runner, directory, tracePath, cancellationToken);
            return new Outcome(result, tracePath, ranking);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }
}
