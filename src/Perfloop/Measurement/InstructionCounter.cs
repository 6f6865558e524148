using System.Globalization;
using Perfloop.Configuration;
using Perfloop.Errors;
using Perfloop.Processes;

namespace Perfloop.Measurement;

/// <summary>Which tool counts a run's instructions.</summary>
public enum InstructionCounterKind
{
    /// <summary>valgrind's callgrind: a CPU simulator, the same count on every run of a deterministic program, ~12–50× slower.</summary>
    Callgrind,

    /// <summary><c>perf stat -e instructions:u</c>: hardware counters at native speed, where the CPU (or VM) exposes them.</summary>
    Perf,
}

/// <summary>
/// Counts the user-space instructions of every process of a benchmark run — a metric the machine's load cannot move.
/// The count comes from a second, untimed run of the same command under the counter, right after the timed run, so
/// wall and CPU time stay those of the native program; the counted run's own slowness is never timed.
/// </summary>
public sealed class InstructionCounter
{
    /// <summary>perfloop.json's <c>measurement.instructionCounter</c> values.</summary>
    public const string Auto = "auto";

    public const string CallgrindSetting = "callgrind";
    public const string PerfSetting = "perf";

    public static IReadOnlyList<string> Settings => MetricVocabulary.InstructionCounters;

    const string ConfigKey = "$.measurement.instructionCounter";

    InstructionCounter(InstructionCounterKind kind) => Kind = kind;

    public InstructionCounterKind Kind { get; }

    /// <summary>How many times the benchmark's own timeout a counted run may take (callgrind simulates every instruction).</summary>
    public double TimeoutFactor => Kind == InstructionCounterKind.Callgrind ? 100 : 3;

    /// <summary>"callgrind" or "perf".</summary>
    public string Name => Kind == InstructionCounterKind.Callgrind ? CallgrindSetting : PerfSetting;

    /// <summary>A counter of this kind without probing the machine (for tests and for replaying what was measured).</summary>
    public static InstructionCounter Of(InstructionCounterKind kind) => new(kind);

    /// <summary>The counter perfloop.json asks for (<see cref="MetricSelection.InstructionCounterSetting"/>), probed; null when instructions are not counted.</summary>
    public static async Task<InstructionCounter?> ForConfigAsync(IProcessRunner runner, PerfloopConfig config, string workingDirectory, CancellationToken cancellationToken) =>
        MetricSelection.InstructionCounterSetting(config) is { } setting
            ? await ResolveAsync(runner, setting, workingDirectory, cancellationToken)
            : null;

    /// <summary>
    /// The counter the setting names, checked on this machine by a probe run: <c>perf</c> must count instructions
    /// (most VMs say <c>&lt;not supported&gt;</c>), <c>callgrind</c> needs valgrind, <c>auto</c> takes perf where it
    /// works, else callgrind. A missing or unsupported counter is one clear line (exit code 2).
    /// </summary>
    public static async Task<InstructionCounter> ResolveAsync(IProcessRunner runner, string setting, string workingDirectory, CancellationToken cancellationToken)
    {
        switch (setting.Trim().ToLowerInvariant())
        {
            case CallgrindSetting:
                return await ProbeCallgrindAsync(runner, workingDirectory, cancellationToken) is { } noValgrind
                    ? throw new PerfloopException($"{PerfloopConfig.FileName}: {ConfigKey}: \"callgrind\" {noValgrind}")
                    : new InstructionCounter(InstructionCounterKind.Callgrind);
            case PerfSetting:
                return await ProbePerfAsync(runner, workingDirectory, cancellationToken) is { } noPerf
                    ? throw new PerfloopException($"{PerfloopConfig.FileName}: {ConfigKey}: \"perf\" cannot be used: {noPerf}; use \"callgrind\" (valgrind) instead")
                    : new InstructionCounter(InstructionCounterKind.Perf);
            case Auto:
                var perf = await ProbePerfAsync(runner, workingDirectory, cancellationToken);
                if (perf is null)
                {
                    return new InstructionCounter(InstructionCounterKind.Perf);
                }

                var callgrind = await ProbeCallgrindAsync(runner, workingDirectory, cancellationToken);
                return callgrind is null
                    ? new InstructionCounter(InstructionCounterKind.Callgrind)
                    : throw new PerfloopException($"{PerfloopConfig.FileName}: {ConfigKey}: no instruction counter works here: perf: {perf}; callgrind {callgrind}");
            default:
                throw new PerfloopException($"{PerfloopConfig.FileName}: {ConfigKey}: must be \"auto\", \"callgrind\" or \"perf\" (is \"{setting}\")");
        }
    }

    /// <summary>The timed run's command under the counter, writing its counts into <paramref name="outputDirectory"/>.</summary>
    public CommandSpec Wrap(CommandSpec timed, string outputDirectory)
    {
        List<string> arguments = Kind == InstructionCounterKind.Callgrind
            ?
            [
                "--tool=callgrind",
                // Every process of the run: a shell's children, a launcher's exec, a test runner's workers.
                "--trace-children=yes",
                "--callgrind-out-file=" + Path.Combine(outputDirectory, "callgrind.out.%p"),
                // valgrind's own messages stay out of the program's stderr (and out of its METRIC lines).
                "--log-file=" + Path.Combine(outputDirectory, "valgrind.%p.log"),
                timed.FileName,
            ]
            : ["stat", "-x", ",", "-e", "instructions:u", "-o", Path.Combine(outputDirectory, "perf.txt"), "--", timed.FileName];
        arguments.AddRange(timed.Arguments);
        return new CommandSpec(Kind == InstructionCounterKind.Callgrind ? "valgrind" : "perf", arguments, timed.WorkingDirectory)
        {
            Environment = timed.Environment,
            Timeout = timed.Timeout == Timeout.InfiniteTimeSpan ? timed.Timeout : timed.Timeout * TimeoutFactor,
        };
    }

    /// <summary>The instructions a counted run retired, summed over its processes; throws <see cref="MetricSourceException"/> when the counter wrote nothing usable.</summary>
    public double Read(string outputDirectory) => Kind == InstructionCounterKind.Callgrind
        ? ReadCallgrind(outputDirectory)
        : ParsePerf(File.Exists(Path.Combine(outputDirectory, "perf.txt")) ? File.ReadAllText(Path.Combine(outputDirectory, "perf.txt")) : "");

    static double ReadCallgrind(string outputDirectory)
    {
        var files = Directory.Exists(outputDirectory) ? Directory.GetFiles(outputDirectory, "callgrind.out.*") : [];
        if (files.Length == 0)
        {
            var log = Directory.Exists(outputDirectory) ? Directory.GetFiles(outputDirectory, "valgrind.*.log").Select(File.ReadAllText).FirstOrDefault() : null;
            throw new MetricSourceException($"callgrind wrote no counts{(log is null ? "" : ": " + FirstValgrindError(log))}");
        }

        return files.Sum(file => ParseCallgrind(File.ReadAllText(file)) ?? throw new MetricSourceException($"callgrind's output {Path.GetFileName(file)} has no instruction total"));
    }

    /// <summary>The <c>summary:</c> (else <c>totals:</c>) instruction count of one callgrind output file.</summary>
    public static double? ParseCallgrind(string text)
    {
        double? totals = null;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("summary:", StringComparison.Ordinal) && FirstNumber(line["summary:".Length..]) is { } summary)
            {
                return summary;
            }

            if (line.StartsWith("totals:", StringComparison.Ordinal))
            {
                totals = FirstNumber(line["totals:".Length..]);
            }
        }

        return totals;
    }

    /// <summary>The count in <c>perf stat -x ,</c> output (<c>123456,,instructions:u,…</c>); throws when perf could not count.</summary>
    public static double ParsePerf(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            var fields = line.Trim().Split(',');
            if (line.StartsWith('#') || fields.Length < 3 || !fields[2].StartsWith("instructions", StringComparison.Ordinal))
            {
                continue;
            }

            return double.TryParse(fields[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var count)
                ? count
                : throw new MetricSourceException($"perf stat could not count instructions ({fields[0]})");
        }

        throw new MetricSourceException("perf stat wrote no instruction count");
    }

    static double? FirstNumber(string text) =>
        double.TryParse(text.Trim().Split(' ', 2)[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;

    static string FirstValgrindError(string log) =>
        log.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Contains("error", StringComparison.OrdinalIgnoreCase) || l.Contains("valgrind:", StringComparison.Ordinal))
        ?? "(valgrind's log says nothing)";

    /// <summary>Null when valgrind runs, else why not (to follow "callgrind").</summary>
    static async Task<string?> ProbeCallgrindAsync(IProcessRunner runner, string workingDirectory, CancellationToken cancellationToken)
    {
        try
        {
            var result = await runner.RunAsync(new CommandSpec("valgrind", ["--version"], workingDirectory) { Timeout = TimeSpan.FromSeconds(30) }, cancellationToken);
            return result.Succeeded ? null : $"needs valgrind, which fails here (exit code {result.ExitCode})";
        }
        catch (ProcessStartException)
        {
            return "needs valgrind, which is not installed (Debian/Ubuntu: apt-get install valgrind)";
        }
    }

    /// <summary>Null when perf stat counts instructions here, else why not.</summary>
    static async Task<string?> ProbePerfAsync(IProcessRunner runner, string workingDirectory, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("perfloop-perf-probe-").FullName;
        try
        {
            var probe = Of(InstructionCounterKind.Perf).Wrap(new CommandSpec("true", [], workingDirectory) { Timeout = TimeSpan.FromSeconds(10) }, directory);
            var result = await runner.RunAsync(probe, cancellationToken);
            if (!result.Succeeded)
            {
                var line = result.StderrText.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? $"exit code {result.ExitCode}";
                return $"perf stat fails ({line})";
            }

            var count = Of(InstructionCounterKind.Perf).Read(directory);
            return count > 0 ? null : "perf stat counted no instructions";
        }
        catch (ProcessStartException)
        {
            return "perf is not installed";
        }
        catch (MetricSourceException e)
        {
            return e.Message.Contains("<not supported>", StringComparison.Ordinal)
                ? "perf stat cannot count instructions on this machine (<not supported>: no hardware performance counters, as in most VMs)"
                : e.Message;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
