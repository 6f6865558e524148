using Perfloop.Configuration;
using Perfloop.Errors;
using Perfloop.Processes;
using Perfloop.Ranking;

namespace Perfloop.Profiling;

/// <summary>What to profile.</summary>
/// <param name="Directory">Where the command runs; the repository whose .perfloop/ receives the ranking.</param>
/// <param name="Command">The user's command: one element is a shell command line; several are a program and its arguments.</param>
public sealed record ProfileRequest(string Directory, IReadOnlyList<string> Command)
{
    /// <summary>Where the profiler's own file goes; default <c>.perfloop/profile.EXT</c> (EXT: callgrind, pstats, cpuprofile, jfr, nettrace).</summary>
    public string? TracePath { get; init; }

    /// <summary>The runtime to profile, when the detection cannot tell or tells wrong; null to detect it.</summary>
    public BenchRuntime? Runtime { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(60);

    /// <summary>Receives the command's output lines (stdout and stderr) as they come.</summary>
    public Action<string>? OnOutputLine { get; init; }

    /// <summary>Answers the detector's questions about programs and scripts; the real file system by default.</summary>
    public IProgramProbe? Probe { get; init; }
}

/// <summary>
/// Tells what a command runs (<see cref="RuntimeDetector"/>), runs it under that runtime's profiler
/// (<see cref="Profilers"/>), keeps the profiler's file and ranks it. A command nothing can profile is refused
/// before it runs, with the one line that says what would work.
/// </summary>
public static class ProfileRecorder
{
    /// <param name="Process">How the profiled command ended.</param>
    /// <param name="TracePath">The profiler's file, kept.</param>
    /// <param name="Ranking">The ranking written to .perfloop/bottlenecks.json.</param>
    /// <param name="Detection">What the command was found to run.</param>
    /// <param name="Tool">The profiler used.</param>
    public sealed record Outcome(ProcessResult Process, string TracePath, RankingWorkflow.Outcome Ranking, RuntimeDetection Detection, string Tool);

    public static async Task<Outcome> RecordAndRankAsync(IProcessRunner runner, ProfileRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Command.Count == 0)
        {
            throw new PerfloopException("no command to profile; usage: perfloop profile -- CMD [ARGS...]");
        }

        var directory = Path.GetFullPath(request.Directory);
        var (root, _, _) = await RankingWorkflow.LocateAsync(runner, directory, cancellationToken);
        var probe = request.Probe ?? new FileSystemProbe();
        var detection = Detect(request, directory, root, probe);
        var shown = request.Command.Count == 1 ? request.Command[0] : string.Join(' ', request.Command);
        if (detection.Runtime is not { } runtime)
        {
            throw new PerfloopException($"cannot profile '{shown}': {detection.Description}; name its runtime with --runtime (native, python, node, jvm, dotnet), or {ProfilingAdvice.RankYourOwn}");
        }

        var profiler = Profilers.For(runtime);
        if (profiler.WhyUnavailable(probe, directory) is { } unavailable)
        {
            throw new PerfloopException($"cannot profile '{shown}' ({detection.Description}): {unavailable}; or {ProfilingAdvice.RankYourOwn}");
        }

        var scratch = Path.Combine(Path.GetTempPath(), $"perfloop-profile-{Guid.NewGuid():N}");
        Directory.CreateDirectory(scratch);
        try
        {
            var plan = new RecordingPlan(request.Command, detection, directory, root, scratch);
            var spec = profiler.Prepare(plan) with
            {
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
                throw new PerfloopException($"cannot start '{spec.FileName}': {e.Message}");
            }
            cancellationToken.ThrowIfCancellationRequested();
            if (result.TimedOut)
            {
                throw new PerfloopException($"the command did not finish within {request.Timeout.TotalMinutes:0} minutes under {profiler.Tool}; profile a shorter run", ExitCodes.Failure);
            }

            var recording = await profiler.CollectAsync(runner, plan, cancellationToken)
                ?? throw new PerfloopException($"{profiler.NothingWritten(plan)}; or {ProfilingAdvice.RankYourOwn}");
            var tracePath = Path.GetFullPath(request.TracePath ?? Path.Combine(PerfloopPaths.StateDirectory(root), "profile" + recording.Extension), directory);
            Directory.CreateDirectory(Path.GetDirectoryName(tracePath)!);
            File.Move(recording.RawFile, tracePath, overwrite: true);
            var ranking = await RankingWorkflow.RankAsync(runner, directory, recording.Profile, tracePath, cancellationToken);
            return new Outcome(result, tracePath, ranking, detection, profiler.Tool);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>The detection, or the runtime the user named (keeping a direct command direct when it agrees).</summary>
    static RuntimeDetection Detect(ProfileRequest request, string directory, string root, IProgramProbe probe)
    {
        var detected = RuntimeDetector.Detect(request.Command, directory, root, probe);
        if (request.Runtime is not { } named || named == detected.Runtime)
        {
            return detected;
        }

        return new RuntimeDetection(named, false, [], $"{RuntimeDetector.Name(named)}, as named with --runtime");
    }
}
