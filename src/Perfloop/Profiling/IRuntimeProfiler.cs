using Perfloop.Processes;
using Perfloop.Ranking;

namespace Perfloop.Profiling;

/// <summary>One recording to make.</summary>
/// <param name="Command">The user's command: one element is a shell command line; several are a program and its arguments.</param>
/// <param name="Detection">What the command runs.</param>
/// <param name="Directory">Where the command runs.</param>
/// <param name="RepositoryRoot">The repository the profile belongs to.</param>
/// <param name="Scratch">An empty directory the profiler writes into; deleted afterwards.</param>
public sealed record RecordingPlan(IReadOnlyList<string> Command, RuntimeDetection Detection, string Directory, string RepositoryRoot, string Scratch)
{
    /// <summary>The command as given, unchanged: a shell line through /bin/sh, else the program and its arguments.</summary>
    public CommandSpec Unchanged() =>
        Command.Count == 1 ? CommandSpec.Shell(Command[0], Directory) : new CommandSpec(Command[0], [.. Command.Skip(1)], Directory);

    /// <summary>The program and arguments to run for a direct command (its words), else the unchanged command's.</summary>
    public IReadOnlyList<string> Words =>
        Detection.Direct && Detection.Words.Count > 0 ? Detection.Words : Command.Count == 1 ? ["/bin/sh", "-c", Command[0]] : Command;
}

/// <summary>What a profiler recorded: the raw file kept for the user and the profile read from it.</summary>
/// <param name="RawFile">The profiler's own file (kept as <c>.perfloop/profile.EXT</c>).</param>
/// <param name="Extension">That file's extension, with the dot.</param>
/// <param name="Profile">The profile, ready to rank.</param>
public sealed record Recording(string RawFile, string Extension, Profile Profile);

/// <summary>
/// One runtime's profiler: says whether it can run here, attaches itself to the command (through its arguments when
/// the command is the runtime's program, else through the environment or by following child processes), and reads
/// what it wrote into the one <see cref="Profile"/> model the ranking works on.
/// </summary>
public interface IRuntimeProfiler
{
    BenchRuntime Runtime { get; }

    /// <summary>The tool, as a reader knows it ("valgrind --tool=callgrind").</summary>
    string Tool { get; }

    /// <summary>Why it cannot record here (a missing tool) and what would help; null when it can.</summary>
    string? WhyUnavailable(IProgramProbe probe, string directory);

    /// <summary>The command with the profiler attached.</summary>
    CommandSpec Prepare(RecordingPlan plan);

    /// <summary>Reads what the run wrote into <see cref="RecordingPlan.Scratch"/> (the busiest process when several wrote); null when nothing was written.</summary>
    Task<Recording?> CollectAsync(IProcessRunner runner, RecordingPlan plan, CancellationToken cancellationToken);

    /// <summary>Why nothing was written, when <see cref="CollectAsync"/> found nothing.</summary>
    string NothingWritten(RecordingPlan plan);
}

/// <summary>The profiler of each runtime.</summary>
public static class Profilers
{
    public static IRuntimeProfiler For(BenchRuntime runtime) => runtime switch
    {
        BenchRuntime.Native => new CallgrindProfiler(),
        BenchRuntime.Python => new CProfileProfiler(),
        BenchRuntime.Node => new NodeCpuProfiler(),
        BenchRuntime.Jvm => new JfrProfiler(),
        _ => new EventPipeProfiler(),
    };

    /// <summary>Adds to a list-like variable (PYTHONPATH, NODE_OPTIONS) the program may already have, instead of replacing it.</summary>
    internal static string Prepend(string value, string variable, string separator)
    {
        var existing = Environment.GetEnvironmentVariable(variable);
        return string.IsNullOrEmpty(existing) ? value : value + separator + existing;
    }

    /// <summary>The files of a pattern in the scratch directory, largest first: with several processes, the busiest wrote most.</summary>
    internal static List<FileInfo> Largest(string directory, string pattern) =>
        [.. new DirectoryInfo(directory).EnumerateFiles(pattern, SearchOption.TopDirectoryOnly).Where(f => f.Length > 0).OrderByDescending(f => f.Length)];

    /// <summary>A note for the ranking when several processes wrote profiles.</summary>
    internal static IReadOnlyList<string> Busiest(Profile profile, int processes, string what) =>
        processes > 1 ? [.. profile.Notes, $"{processes} processes were profiled; the busiest ({what}) is ranked"] : profile.Notes;
}
