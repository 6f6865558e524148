using Perfloop.Errors;
using Perfloop.Ranking;

namespace Perfloop.Profiling;

/// <summary>
/// How to record a profile of a given benchmark — the one place every hint about profiling asks, so no message
/// recommends a command that cannot work for that benchmark.
/// </summary>
public static class ProfilingAdvice
{
    public static readonly string RankYourOwn = $"profile it with a profiler for its language and rank the result with {Mention.Command("rank --profile FILE")} (" + ProfileReader.SupportedFormats + ")";

    /// <summary>The hint, from what the benchmark runs and whether its profiler can run here. Pure.</summary>
    /// <param name="benchCommand">The benchmark's shell command line.</param>
    /// <param name="detection">What it runs.</param>
    /// <param name="unavailable">Why its profiler cannot run here, or null.</param>
    public static string For(string benchCommand, RuntimeDetection detection, string? unavailable)
    {
        ArgumentNullException.ThrowIfNull(detection);
        if (detection.Runtime is not { } runtime)
        {
            return $"perfloop cannot profile this benchmark itself ({detection.Description}); {RankYourOwn}";
        }

        if (unavailable is not null)
        {
            return $"{unavailable}; or {RankYourOwn}";
        }

        return $"record one with {Mention.Command("profile -- " + Quoted(benchCommand))} ({Profilers.For(runtime).Tool}, for {RuntimeDetector.Name(runtime)} code)";
    }

    /// <summary>The hint for a benchmark command of a repository, looking at its files ("record one with …").</summary>
    public static string ForBench(string benchCommand, string repositoryRoot)
    {
        var (detection, unavailable) = Look(benchCommand, repositoryRoot);
        return For(benchCommand, detection, unavailable);
    }

    /// <summary>The same advice as a next step after a session ("re-profile and rank again: …"), for HANDOFF.md.</summary>
    public static string Reprofile(string benchCommand, string repositoryRoot)
    {
        var (detection, unavailable) = Look(benchCommand, repositoryRoot);
        var advice = For(benchCommand, detection, unavailable);
        const string Record = "record one with ";
        return "re-profile and rank again: " + (advice.StartsWith(Record, StringComparison.Ordinal) ? advice[Record.Length..] : advice);
    }

    static (RuntimeDetection Detection, string? Unavailable) Look(string benchCommand, string repositoryRoot)
    {
        var probe = new FileSystemProbe();
        var detection = RuntimeDetector.Detect([benchCommand], repositoryRoot, repositoryRoot, probe);
        var unavailable = detection.Runtime is { } runtime ? Profilers.For(runtime).WhyUnavailable(probe, repositoryRoot) : null;
        return (detection, unavailable);
    }

    /// <summary>A shell line as one argument after "--": unchanged when its words need no shell, else in single quotes.</summary>
    public static string Quoted(string command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var commands = ShellWords.Split(command);
        var simple = commands.Count == 1 && commands[0].Plain && !command.Contains('\'', StringComparison.Ordinal) && !command.Contains('"', StringComparison.Ordinal) && !command.Contains('\\', StringComparison.Ordinal);
        return simple ? command.Trim() : "'" + command.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }
}
