using Perfloop.Errors;
using Perfloop.Processes;
using Perfloop.Ranking;

namespace Perfloop.Profiling;

/// <summary>
/// A JVM under JDK Flight Recorder, started through JDK_JAVA_OPTIONS (read by the <c>java</c> launcher only, so
/// javac or the jfr tool in the same script are not recorded), with a settings file that records CPU samples
/// every 5 ms and nothing else. The recording is read with the JDK's jfr tool. The JVM also lists every method it
/// called (<see cref="JvmTouchedMethods"/>, where the JDK still can), so fidelity can trust a method's absence.
/// </summary>
public sealed class JfrProfiler : IRuntimeProfiler
{
    public const string Settings = """
        <?xml version="1.0" encoding="UTF-8"?>
        <configuration version="2.0" label="Perfloop" description="CPU samples only, for perfloop profile">
          <event name="jdk.ExecutionSample">
            <setting name="enabled">true</setting>
            <setting name="period">5 ms</setting>
          </event>
        </configuration>
        """;

    public BenchRuntime Runtime => BenchRuntime.Jvm;

    public string Tool => "JDK Flight Recorder";

    public string? WhyUnavailable(IProgramProbe probe, string directory)
    {
        ArgumentNullException.ThrowIfNull(probe);
        return JfrReader.FindTool(p => probe.Resolve(p, directory)) is null
            ? "profiling a JVM needs the JDK's jfr tool, which is neither next to java nor on PATH; install a JDK 11 or later (Debian/Ubuntu: apt-get install openjdk-17-jdk-headless)"
            : null;
    }

    public CommandSpec Prepare(RecordingPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var settings = Path.Combine(plan.Scratch, "perfloop.jfc");
        File.WriteAllText(settings, Settings.Replace("\r", "", StringComparison.Ordinal) + "\n");
        var recordings = Path.Combine(plan.Scratch, "recordings") + Path.DirectorySeparatorChar;
        Directory.CreateDirectory(recordings);
        // A directory as filename: each JVM writes its own recording there, named by its pid.
        var options = $"-Xlog:jfr+startup=error -XX:StartFlightRecording=filename={recordings},settings={settings} {JvmTouchedMethods.Options(Path.Combine(plan.Scratch, "vm-%p.log"))}";
        return plan.Unchanged() with
        {
            Environment = new Dictionary<string, string?> { ["JDK_JAVA_OPTIONS"] = Profilers.Prepend(options, "JDK_JAVA_OPTIONS", " ") },
        };
    }

    public async Task<Recording?> CollectAsync(IProcessRunner runner, RecordingPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var directory = Path.Combine(plan.Scratch, "recordings");
        var files = Directory.Exists(directory) ? Profilers.Largest(directory, "*.jfr") : [];
        if (files.Count == 0)
        {
            return null;
        }

        var tool = JfrReader.FindTool(p => new FileSystemProbe().Resolve(p, plan.Directory)) ?? "jfr";
        var profile = await JfrReader.ReadAsync(runner, files[0].FullName, tool, cancellationToken);
        var called = JvmTouchedMethods.CoveringSamples(JvmTouchedMethods.Read(Directory.EnumerateFiles(plan.Scratch, "vm-*.log")), profile);
        return new Recording(files[0].FullName, ".jfr", profile with { Notes = Profilers.Busiest(profile, files.Count, files[0].Name), CalledMethods = called });
    }

    public string NothingWritten(RecordingPlan plan) =>
        $"no JFR recording was written: no JVM started by the java launcher ran to a normal exit (a JVM started another way does not read JDK_JAVA_OPTIONS; give it -XX:StartFlightRecording and rank the .jfr with {Mention.Command("rank --profile FILE")})";
}
