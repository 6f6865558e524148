using Perfloop.Errors;
using Perfloop.Processes;
using Perfloop.Ranking;

namespace Perfloop.Profiling;

/// <summary>
/// CPython under the standard library's cProfile (always installed), in the interpreter the benchmark uses, whether
/// the command starts it directly, through a #! line or from a shell script: the command runs unchanged with a
/// <c>sitecustomize</c> module put first on PYTHONPATH, which every Python process imports at start. It starts
/// cProfile (on its own wall clock; on CPU time with PERFLOOP_CPROFILE_TIMER=cpu, which a busy machine's waits do not
/// inflate but which costs a system call per event), writes the statistics at exit, keeps the exit code, and then
/// runs the program's own sitecustomize, if any. An interpreter started with -I, -E or -S skips sitecustomize; it
/// runs as <c>python [options] -m cProfile -o FILE …</c> instead.
/// </summary>
public sealed class CProfileProfiler : IRuntimeProfiler
{
    const string DirectFile = "python-direct.pstats";

    /// <summary>Python options that take a value as the next word.</summary>
    static readonly HashSet<string> OptionsWithValue = new(StringComparer.Ordinal) { "-W", "-X", "--check-hash-based-pycs" };

    public const string SiteCustomize = """
        # Written by Perfloop for one profiled run: profiles this process with cProfile.
        import os as _os


        def _perfloop_profile():
            import atexit, cProfile, importlib.machinery, importlib.util, sys, time
            out = _os.environ.get("PERFLOOP_CPROFILE_DIR")
            if not out:
                return
            # cProfile's own clock (wall time) by default. PERFLOOP_CPROFILE_TIMER=cpu counts CPU time instead, which a
            # busy machine's waits do not inflate, at the price of a system call per call and return (about 6x slower).
            if _os.environ.get("PERFLOOP_CPROFILE_TIMER") == "cpu":
                profiler = cProfile.Profile(time.process_time)
            else:
                profiler = cProfile.Profile()

            def dump():
                profiler.disable()
                try:
                    profiler.dump_stats(_os.path.join(out, "python-%d.pstats" % _os.getpid()))
                except Exception:
                    pass

            atexit.register(dump)
            # The program's own sitecustomize still runs (after this one, which shadows it).
            here = _os.path.dirname(_os.path.abspath(__file__))
            for entry in sys.path:
                if _os.path.abspath(entry or ".") == here:
                    continue
                spec = importlib.machinery.PathFinder.find_spec("sitecustomize", [entry])
                if spec is not None and spec.loader is not None:
                    module = importlib.util.module_from_spec(spec)
                    spec.loader.exec_module(module)
                    break
            profiler.enable()


        _perfloop_profile()
        """;

    public BenchRuntime Runtime => BenchRuntime.Python;

    public string Tool => "cProfile";

    public string? WhyUnavailable(IProgramProbe probe, string directory) => null;

    public CommandSpec Prepare(RecordingPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.Detection.Direct && SkipsSiteCustomize(plan.Detection.Words) && DirectArguments(plan.Detection.Words, Path.Combine(plan.Scratch, DirectFile)) is { } direct)
        {
            return new CommandSpec(direct[0], [.. direct.Skip(1)], plan.Directory);
        }

        var site = Path.Combine(plan.Scratch, "site");
        Directory.CreateDirectory(site);
        File.WriteAllText(Path.Combine(site, "sitecustomize.py"), SiteCustomize.Replace("\r", "", StringComparison.Ordinal) + "\n");
        return plan.Unchanged() with
        {
            Environment = new Dictionary<string, string?>
            {
                ["PYTHONPATH"] = Profilers.Prepend(site, "PYTHONPATH", Path.PathSeparator.ToString()),
                ["PERFLOOP_CPROFILE_DIR"] = plan.Scratch,
            },
        };
    }

    /// <summary>Whether the interpreter's own options (before the script, -m or -c) say to ignore PYTHONPATH or the site module: -I, -E, -S.</summary>
    public static bool SkipsSiteCustomize(IReadOnlyList<string> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        for (var i = 1; i < words.Count; i++)
        {
            var word = words[i];
            if (OptionsWithValue.Contains(word))
            {
                i++;
                continue;
            }
            if (!word.StartsWith('-') || word.StartsWith("--", StringComparison.Ordinal) || word.Length == 1)
            {
                return false;
            }

            foreach (var flag in word.AsSpan(1))
            {
                if (flag is 'I' or 'E' or 'S')
                {
                    return true;
                }

                if (flag is 'c' or 'm' or 'W' or 'X')
                {
                    return false;
                }
            }
        }
        return false;
    }

    /// <summary>
    /// "python3 -I bench.py 10" → "python3 -I -m cProfile -o OUT bench.py 10"; null when the words are not a script or
    /// a module run (python -c, python reading stdin, an option this does not know).
    /// </summary>
    public static IReadOnlyList<string>? DirectArguments(IReadOnlyList<string> words, string output)
    {
        ArgumentNullException.ThrowIfNull(words);
        for (var i = 1; i < words.Count; i++)
        {
            var word = words[i];
            if (word == "-m" && i + 1 < words.Count)
            {
                return [.. words.Take(i), "-m", "cProfile", "-o", output, .. words.Skip(i)];
            }

            if (OptionsWithValue.Contains(word))
            {
                i++;
                continue;
            }
            if (word.StartsWith("--", StringComparison.Ordinal))
            {
                return null;
            }

            if (word.StartsWith('-'))
            {
                // Grouped one-letter flags (-uB); -c and -m inside a group, or "-" (stdin), are not a script run.
                if (word.Length == 1 || word[1..].Any(c => c is 'c' or 'm' or 'W' or 'X'))
                {
                    return null;
                }

                continue;
            }
            return [.. words.Take(i), "-m", "cProfile", "-o", output, .. words.Skip(i)];
        }
        return null;
    }

    public async Task<Recording?> CollectAsync(IProcessRunner runner, RecordingPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var files = Profilers.Largest(plan.Scratch, "*.pstats");
        if (files.Count == 0)
        {
            return null;
        }
        // The interpreter that wrote the statistics reads them best; marshal's format is stable across Python 3 anyway.
        var python = plan.Detection.Direct && plan.Detection.Words.Count > 0 ? plan.Detection.Words[0] : "python3";
        Profile? busiest = null;
        FileInfo? busiestFile = null;
        foreach (var file in files.Take(5))
        {
            var profile = await PstatsReader.ReadAsync(runner, file.FullName, python, plan.Directory, cancellationToken);
            if (busiest is null || profile.TotalWeight > busiest.TotalWeight)
            {
                (busiest, busiestFile) = (profile, file);
            }
        }
        var processes = files.Count;
        return new Recording(busiestFile!.FullName, ".pstats", busiest! with { Notes = Profilers.Busiest(busiest, processes, busiestFile.Name) });
    }

    public string NothingWritten(RecordingPlan plan) =>
        $"cProfile wrote no statistics: no Python process ran to a normal exit (killed, os._exit), or it ran with -I, -E or -S, which ignore PYTHONPATH; profile the Python command itself ({Mention.Command("profile -- python3 SCRIPT")})";
}
