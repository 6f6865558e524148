using Perfloop.Processes;
using Perfloop.Ranking;

namespace Perfloop.Profiling;

/// <summary>
/// Native code under valgrind's callgrind: every instruction counted (deterministic, no sampling noise), children
/// followed so a script that starts the program is profiled too. The busiest process is ranked.
/// </summary>
/// <remarks>
/// perf record would be faster, but needs hardware counters a virtual machine often lacks (<c>perf stat -e
/// instructions true</c> prints "&lt;not supported&gt;") and kernel settings a user may not control; callgrind
/// works wherever valgrind is installed, and its counts do not move with the machine's load.
/// </remarks>
public sealed class CallgrindProfiler : IRuntimeProfiler
{
    public BenchRuntime Runtime => BenchRuntime.Native;

    public string Tool => "valgrind --tool=callgrind";

    public string? WhyUnavailable(IProgramProbe probe, string directory) =>
        probe.Resolve("valgrind", directory) is null
            ? "profiling native code needs valgrind, which is not on PATH (Debian/Ubuntu: apt-get install valgrind); or record with 'perf record -g', fold 'perf script' with stackcollapse-perf.pl"
            : null;

    public CommandSpec Prepare(RecordingPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return new CommandSpec("valgrind",
        [
            "--tool=callgrind",
            "--trace-children=yes",
            $"--callgrind-out-file={Path.Combine(plan.Scratch, "callgrind.out.%p")}",
            $"--log-file={Path.Combine(plan.Scratch, "valgrind.%p.log")}",
            .. plan.Words,
        ], plan.Directory);
    }

    public Task<Recording?> CollectAsync(IProcessRunner runner, RecordingPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var files = new DirectoryInfo(plan.Scratch).EnumerateFiles("callgrind.out.*")
            .Select(f => (File: f, Summary: CallgrindReader.Summary(f.FullName)))
            .Where(f => f.Summary.Total > 0)
            .OrderByDescending(f => f.Summary.Total)
            .ToList();
        if (files.Count == 0)
        {
            return Task.FromResult<Recording?>(null);
        }

        var busiest = files[0];
        Profile profile;
        using (var reader = new StreamReader(busiest.File.FullName))
        {
            profile = CallgrindReader.Read(reader, busiest.File.FullName, plan.RepositoryRoot);
        }

        var notes = Profilers.Busiest(profile, files.Count, busiest.Summary.Command ?? "?").ToList();
        if (DebugInfoAdvice(profile, plan.RepositoryRoot) is { } advice)
        {
            notes.Add(advice);
        }

        return Task.FromResult<Recording?>(new Recording(busiest.File.FullName, ".callgrind", profile with { Notes = notes }));
    }

    public string NothingWritten(RecordingPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var log = new DirectoryInfo(plan.Scratch).EnumerateFiles("valgrind.*.log").OrderByDescending(f => f.Length).FirstOrDefault();
        var why = log is null ? null : File.ReadLines(log.FullName).Select(l => l.TrimStart('=', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ' ')).LastOrDefault(l => l.Length > 0);
        return $"valgrind wrote no callgrind profile{(why is null ? "" : $" ({why})")}";
    }

    /// <summary>
    /// Names without source files mean the repository's binaries carry no debug information: the ranking still names
    /// functions (from the symbol table) but cannot give inlined code back to its function or name source files.
    /// </summary>
    internal static string? DebugInfoAdvice(Profile profile, string repositoryRoot)
    {
        var ours = profile.Frames.Where(f => f.ModulePath is { } path && CodeOwnership.IsInside(path, repositoryRoot)).ToList();
        if (ours.Count == 0)
        {
            return null;
        }

        var module = ours[0].Module ?? "the program";
        if (ours.All(f => f.Name.StartsWith("0x", StringComparison.Ordinal)))
        {
            return $"{module} has no symbols (stripped): build it without -s / strip, and with -g, to see function names";
        }

        if (ours.All(f => f.File is null))
        {
            return $"{module} has no debug information: build it with -g (keeping -O2) so inlined code is given back to its function and source files are named";
        }

        return null;
    }
}
