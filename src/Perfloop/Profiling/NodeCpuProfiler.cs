using System.Globalization;
using Perfloop.Processes;
using Perfloop.Ranking;

namespace Perfloop.Profiling;

/// <summary>
/// Node.js under V8's CPU profiler. <c>node script.js</c> runs as <c>node --cpu-prof …</c>; a command that starts node
/// some other way (a shell script, npm) gets a small preload module through NODE_OPTIONS (which refuses --cpu-prof
/// itself): it starts the same profiler through the inspector module and writes the profile when the process exits.
/// Either way NODE_V8_COVERAGE also records which lines ran (<see cref="V8CoverageReader"/>).
/// </summary>
public sealed class NodeCpuProfiler : IRuntimeProfiler
{
    /// <summary>Microseconds between samples: 2,000 per second of CPU, enough to rank a run of a second.</summary>
    public const int IntervalMicroseconds = 500;

    public static readonly string Preload = """
        'use strict';
        // Written by Perfloop for one profiled run: profiles this process with V8's CPU profiler.
        const dir = process.env.PERFLOOP_CPU_PROFILE_DIR;
        if (dir) {
          const inspector = require('inspector');
          const fs = require('fs');
          const path = require('path');
          const session = new inspector.Session();
          session.connect();
          session.post('Profiler.enable');
          session.post('Profiler.setSamplingInterval', { interval: INTERVAL });
          session.post('Profiler.start');
          process.on('exit', () => {
            // The inspector answers a session of the same thread synchronously, so this runs before the process ends.
            session.post('Profiler.stop', (error, result) => {
              if (!error) fs.writeFileSync(path.join(dir, 'node-' + process.pid + '.cpuprofile'), JSON.stringify(result.profile));
            });
          });
        }
        """.Replace("INTERVAL", IntervalMicroseconds.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);

    public BenchRuntime Runtime => BenchRuntime.Node;

    public string Tool => "node --cpu-prof";

    public string? WhyUnavailable(IProgramProbe probe, string directory) => null;

    public CommandSpec Prepare(RecordingPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.Detection.Direct && plan.Detection.Words.Count > 0)
        {
            var words = plan.Detection.Words;
            return new CommandSpec(words[0],
            [
                "--cpu-prof",
                "--cpu-prof-dir", plan.Scratch,
                "--cpu-prof-interval", IntervalMicroseconds.ToString(CultureInfo.InvariantCulture),
                .. words.Skip(1),
            ], plan.Directory)
            {
                Environment = new Dictionary<string, string?> { ["NODE_V8_COVERAGE"] = CoverageDirectory(plan) },
            };
        }

        var preload = Path.Combine(plan.Scratch, "perfloop-cpu-profile.cjs");
        File.WriteAllText(preload, Preload.Replace("\r", "", StringComparison.Ordinal) + "\n");
        return plan.Unchanged() with
        {
            Environment = new Dictionary<string, string?>
            {
                ["NODE_OPTIONS"] = Profilers.Prepend($"--require \"{preload}\"", "NODE_OPTIONS", " "),
                ["PERFLOOP_CPU_PROFILE_DIR"] = plan.Scratch,
                ["NODE_V8_COVERAGE"] = CoverageDirectory(plan),
            },
        };
    }

    public Task<Recording?> CollectAsync(IProcessRunner runner, RecordingPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var files = Profilers.Largest(plan.Scratch, "*.cpuprofile");
        if (files.Count == 0)
        {
            return Task.FromResult<Recording?>(null);
        }

        Profile profile;
        using (var stream = files[0].OpenRead())
        {
            profile = CpuProfileReader.Read(stream, files[0].FullName);
        }

        var coverage = Directory.Exists(CoverageDirectory(plan))
            ? V8CoverageReader.Read(
                Directory.EnumerateFiles(CoverageDirectory(plan), "coverage-*.json"),
                path => File.Exists(path) ? File.ReadAllText(path) : null,
                path => CodeOwnership.IsInside(path, plan.RepositoryRoot) && !path.Contains("/node_modules/", StringComparison.Ordinal))
            : null;
        return Task.FromResult<Recording?>(new Recording(files[0].FullName, ".cpuprofile", profile with
        {
            Notes = Profilers.Busiest(profile, files.Count, files[0].Name),
            Coverage = coverage is { Count: > 0 } ? coverage : null,
        }));
    }

    /// <summary>
    /// Where Node.js writes V8's precise coverage (NODE_V8_COVERAGE, every process): which lines ran, exactly, for the
    /// fidelity check, which a sampled profile cannot give (a short or inlined function takes no sample).
    /// </summary>
    static string CoverageDirectory(RecordingPlan plan) => Path.Combine(plan.Scratch, "v8-coverage");

    public string NothingWritten(RecordingPlan plan) =>
        "no CPU profile was written: no Node.js process ran to a normal exit (killed by a signal?)";
}
