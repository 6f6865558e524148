using System.Text.Encodings.Web;
using System.Text.Json;
using Perfloop.Errors;
using Perfloop.Storage;

namespace Perfloop.Configuration;

/// <summary>Reads and writes <c>perfloop.json</c>; every error names the file, the line and the key.</summary>
public static class ConfigStore
{
    internal static JsonSerializerOptions JsonOptions => JsonFormats.Config;

    /// <summary>
    /// The writer's options: perfloop.json is a file people read and edit, so <c>&amp;&amp;</c>, <c>&lt;</c>, quotes in
    /// commands and non-ASCII text are written as typed rather than as <c>\u0026</c> escapes. The relaxed encoder only
    /// drops the escaping meant for JSON embedded in HTML; the file is never served as HTML.
    /// </summary>
    static readonly JsonSerializerOptions WriterOptions = new(JsonOptions) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string PathIn(string repositoryRoot) => Path.Combine(repositoryRoot, PerfloopConfig.FileName);

    public static PerfloopConfig Load(string repositoryRoot)
    {
        var path = PathIn(repositoryRoot);
        if (!File.Exists(path))
        {
            throw new PerfloopException(
                $"{PerfloopConfig.FileName}: not found in {repositoryRoot}; run {Mention.Command("init --bench CMD")} first");
        }

        return Parse(File.ReadAllText(path));
    }

    public static PerfloopConfig Parse(string json)
    {
        PerfloopConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<PerfloopConfig>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            var line = e.LineNumber is { } l ? $"line {l + 1}: " : "";
            var key = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "" : $"{e.Path}: ";
            throw new PerfloopException(
                $"{PerfloopConfig.FileName}: {line}{key}{Describe(e)}; fix the file or re-run {Mention.Command("init")}", ExitCodes.Usage, e);
        }

        if (config is null)
        {
            throw new PerfloopException($"{PerfloopConfig.FileName}: the file holds null; it must be a JSON object");
        }

        Validate(config);
        return config;
    }

    public static void Save(string repositoryRoot, PerfloopConfig config)
    {
        Validate(config);
        var json = JsonSerializer.Serialize(config, WriterOptions);
        Storage.AtomicFile.WriteAllText(PathIn(repositoryRoot), json + "\n");
    }

    static void Validate(PerfloopConfig config)
    {
        static void Fail(string key, string problem) =>
            throw new PerfloopException($"{PerfloopConfig.FileName}: {key}: {problem}");

        if (config.Version != PerfloopConfig.CurrentVersion)
        {
            Fail("$.version", $"version {config.Version} is not supported; this perfloop reads version {PerfloopConfig.CurrentVersion}");
        }

        if (Domains.Domains.Find(config.Domain) is null)
        {
            Fail("$.domain", $"unknown domain '{config.Domain}'; use one of {Domains.Domains.Names}");
        }

        if (string.IsNullOrWhiteSpace(config.Bench))
        {
            Fail("$.bench", $"the benchmark command is missing; set it or run {Mention.Command("init --bench CMD")}");
        }

        if (config.Guard is { } guard && string.IsNullOrWhiteSpace(guard))
        {
            Fail("$.guard", $"is empty; give the command that must pass (the tests), or remove the key and run with {Mention.Input("no-guard")}");
        }

        for (var i = 0; i < config.Oracles.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(config.Oracles[i]?.Command))
            {
                Fail($"$.oracles[{i}].command", "an oracle needs a command");
            }
        }

        var m = config.Measurement;
        if (m.MinRuns < 2)
        {
            Fail("$.measurement.minRuns", $"must be at least 2 (is {m.MinRuns})");
        }

        if (m.MaxRuns < m.MinRuns)
        {
            Fail("$.measurement.maxRuns", $"must be at least minRuns ({m.MinRuns}); is {m.MaxRuns}");
        }

        if (m.CalibrationRuns < 3)
        {
            Fail("$.measurement.calibrationRuns", $"must be at least 3 (is {m.CalibrationRuns})");
        }

        if (m.WarmupRuns < 0)
        {
            Fail("$.measurement.warmupRuns", "must not be negative");
        }

        if (m.MaxSeconds <= 0)
        {
            Fail("$.measurement.maxSeconds", "must be positive");
        }

        if (m.InstructionCounter is { } counter && !MetricVocabulary.InstructionCounters.Contains(counter.Trim().ToLowerInvariant()))
        {
            Fail("$.measurement.instructionCounter", $"must be \"auto\", \"callgrind\" or \"perf\" (is \"{counter}\")");
        }

        if (config.Thresholds.KeepPct is { } keep && (keep <= 0 || keep >= 100))
        {
            Fail("$.thresholds.keepPct", $"must be between 0 and 100 (is {keep})");
        }

        if (config.Thresholds.MicroPct is { } micro && (micro <= 0 || micro >= 100))
        {
            Fail("$.thresholds.microPct", $"must be between 0 and 100 (is {micro})");
        }

        if (config.Thresholds.HotPathSharePct is < 0 or > 100)
        {
            Fail("$.thresholds.hotPathSharePct", $"must be between 0 and 100 (is {config.Thresholds.HotPathSharePct})");
        }

        if (config.Fidelity is not (FidelityModes.Discard or FidelityModes.Warn))
        {
            Fail("$.fidelity", $"must be \"{FidelityModes.Discard}\" or \"{FidelityModes.Warn}\" (is \"{config.Fidelity}\")");
        }

        for (var i = 0; i < config.Targets.Count; i++)
        {
            ValidateTarget(config.Targets[i], $"$.targets[{i}]");
        }

        ValidateMetrics(config, Fail);
        ValidatePolicies(config);
        ExecutorValidation.Validate(config.Executor, Fail);

        ValidateRanges(config);
    }

    /// <summary>Longest timeout or budget Perfloop accepts: 30 days, far inside what TimeSpan and the timers hold.</summary>
    public const double MaxSeconds = 30 * 24 * 3600;

    /// <summary>Most runs, pairs or experiments any count may ask for.</summary>
    public const int MaxCount = 1_000_000;

    /// <summary>
    /// Every number of the file against its sane range, so nothing absurd (a timeout of 1e15 s overflowing a TimeSpan
    /// after the baseline build started, a run count of two billion) gets past reading the file.
    /// </summary>
    static void ValidateRanges(PerfloopConfig config)
    {
        var t = config.Timeouts;
        foreach (var (key, value) in new[]
        {
            ("buildSeconds", t.BuildSeconds), ("benchSeconds", t.BenchSeconds),
            ("oracleSeconds", t.OracleSeconds), ("guardSeconds", t.GuardSeconds),
        })
        {
            Range($"$.timeouts.{key}", value, 0, MaxSeconds, "a positive number of seconds up to 30 days (2592000)", lowExclusive: true);
        }

        var m = config.Measurement;
        Range("$.measurement.maxSeconds", m.MaxSeconds, 0, MaxSeconds, "a positive number of seconds up to 30 days (2592000)", lowExclusive: true);
        Range("$.measurement.warmupRuns", m.WarmupRuns, 0, 1000, "a whole number of runs from 0 to 1000");
        Range("$.measurement.minRuns", m.MinRuns, 2, MaxCount, $"a whole number of run pairs from 2 to {MaxCount}");
        Range("$.measurement.maxRuns", m.MaxRuns, 2, MaxCount, $"a whole number of run pairs from 2 to {MaxCount}");
        Range("$.measurement.calibrationRuns", m.CalibrationRuns, 3, MaxCount, $"a whole number of run pairs from 3 to {MaxCount}");
        // Seeds are offset per experiment; a bounded seed keeps that arithmetic far from int overflow.
        Range("$.measurement.seed", m.Seed, 0, 1_000_000_000, "a whole number from 0 to 1000000000");

        var th = config.Thresholds;
        Range("$.thresholds.keepPct", th.KeepPct, 0, 100, "a percentage between 0 and 100", lowExclusive: true, highExclusive: true);
        Range("$.thresholds.microPct", th.MicroPct, 0, 100, "a percentage between 0 and 100", lowExclusive: true, highExclusive: true);
        Range("$.thresholds.hotPathSharePct", th.HotPathSharePct, 0, 100, "a percentage from 0 to 100");

        var p = config.Policies;
        foreach (var (key, value) in new[]
        {
            ("rotateAfter", p.RotateAfter), ("plateauAfter", p.PlateauAfter), ("plateauCandidates", p.PlateauCandidates),
            ("stuckAfter", p.StuckAfter), ("stuckGrace", p.StuckGrace), ("diminishingKeeps", p.DiminishingKeeps), ("stallWindow", p.StallWindow),
        })
        {
            Range($"$.policies.{key}", value, 1, MaxCount, $"a whole number from 1 to {MaxCount}");
        }

        Range("$.policies.nonOptimizableSharePct", p.NonOptimizableSharePct, 0, 100, "a percentage from 0 to below 100", highExclusive: true);
        Range("$.policies.diminishingPct", p.DiminishingPct, 0, 100, "a percentage between 0 and 100", lowExclusive: true, highExclusive: true);
        Range("$.policies.stallPct", p.StallPct, 0, 100, "a percentage from 0 to below 100", highExclusive: true);

        var e = config.Escalation;
        Range("$.escalation.gcPauseSharePct", e.GcPauseSharePct, 0, 100, "a percentage above 0, up to 100", lowExclusive: true);
        Range("$.escalation.startupSharePct", e.StartupSharePct, 0, 100, "a percentage above 0, up to 100", lowExclusive: true);
        Range("$.escalation.wallOverCpuRatio", e.WallOverCpuRatio, 1, 1000, "a ratio above 1, up to 1000", lowExclusive: true);
        Range("$.escalation.minWaitMs", e.MinWaitMs, 0, 3_600_000, "milliseconds from 0 to 3600000");
        Range("$.escalation.superlinearExponent", e.SuperlinearExponent, 1, 10, "an exponent above 1, up to 10", lowExclusive: true);

        if (config.Scaling is { } scaling)
        {
            Range("$.scaling.runs", scaling.Runs, 1, 1000, "a whole number of runs from 1 to 1000");
        }

        for (var i = 0; i < config.Targets.Count; i++)
        {
            Range($"$.targets[{i}].profileSharePct", config.Targets[i]?.ProfileSharePct, 0, 100, "a percentage from 0 to 100");
        }
    }

    static void Range(string key, double? value, double low, double high, string what, bool lowExclusive = false, bool highExclusive = false)
    {
        if (value is not { } v)
        {
            return;
        }

        var tooLow = lowExclusive ? v <= low : v < low;
        var tooHigh = highExclusive ? v >= high : v > high;
        if (double.IsNaN(v) || double.IsInfinity(v) || tooLow || tooHigh)
        {
            throw new PerfloopException($"{PerfloopConfig.FileName}: {key}: must be {what} (is {v.ToString("G", System.Globalization.CultureInfo.InvariantCulture)})");
        }
    }

    static void ValidateTarget(TargetSettings? target, string key)
    {
        static void Fail(string key, string problem) =>
            throw new PerfloopException($"{PerfloopConfig.FileName}: {key}: {problem}");

        if (target is null || string.IsNullOrWhiteSpace(target.Name))
        {
            Fail($"{key}.name", "a target needs a name, e.g. \"PrimeScanner.PrimesUpTo\"");
            return;
        }

        if (target.ProfileSharePct is < 0 or > 100)
        {
            Fail($"{key}.profileSharePct", $"must be between 0 and 100 (is {target.ProfileSharePct})");
        }

        if (target.Micro is not { } micro)
        {
            return;
        }

        var kinds = (micro.Command is not null ? 1 : 0) + (micro.BenchmarkDotNet is not null ? 1 : 0) + (micro.DotnetMethod is not null ? 1 : 0);
        if (kinds != 1)
        {
            Fail($"{key}.micro", "give exactly one of \"command\", \"benchmarkDotNet\" or \"dotnetMethod\"");
        }

        if (micro.Command is { } command && string.IsNullOrWhiteSpace(command))
        {
            Fail($"{key}.micro.command", "the micro-benchmark command is empty");
        }

        if (micro.Better is not (null or "lower" or "higher"))
        {
            Fail($"{key}.micro.better", $"must be \"lower\" or \"higher\" (is \"{micro.Better}\")");
        }

        if (micro.BenchmarkDotNet is { } bdn && string.IsNullOrWhiteSpace(bdn.Project))
        {
            Fail($"{key}.micro.benchmarkDotNet.project", "give the path of the BenchmarkDotNet project");
        }
    }

    static void ValidateMetrics(PerfloopConfig config, Action<string, string> fail)
    {
        var sources = config.Metrics;
        RelativePath("$.metrics.jsonFile", sources.JsonFile, fail);
        RelativePath("$.metrics.benchmarkDotNet", sources.BenchmarkDotNet, fail);
        if (sources.Select is { } select)
        {
            if (sources.JsonFile is null)
            {
                fail("$.metrics.select", "selects from metrics.jsonFile, which is not set");
            }

            foreach (var (name, path) in select)
            {
                if (!MetricVocabulary.IsValidName(name))
                {
                    fail($"$.metrics.select.{name}", "a metric name may hold letters, digits and _ . - : ( ) , [ ] only");
                }

                if (MetricVocabulary.JsonPathSegments(path ?? "") is null)
                {
                    fail($"$.metrics.select.{name}", $"'{path}' is not a path like a.b.c or a[0].b");
                }
            }
        }

        if (config.Metric is not { } metric)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(metric.Name))
        {
            fail("$.metric.name", "the metric name is missing; use wall_ms, cpu_ms, instructions, peak_rss_mb or a metric your benchmark reports");
        }

        if (metric.Goal is not null && MetricVocabulary.ParseGoal(metric.Goal) is null)
        {
            fail("$.metric.goal", $"must be \"lower\" or \"higher\" (is \"{metric.Goal}\")");
        }

        if (metric.Goal is null && MetricVocabulary.KnownDirection(metric.Name.Trim()) is null)
        {
            fail("$.metric.goal", $"'{metric.Name}' is not a metric Perfloop knows; say which way is better with \"goal\": \"lower\" or \"higher\"");
        }

        if (metric.Name.StartsWith(MetricVocabulary.BenchmarkDotNetPrefix, StringComparison.Ordinal) && sources.BenchmarkDotNet is null)
        {
            fail("$.metric.name", $"'{metric.Name}' comes from BenchmarkDotNet's JSON export; set metrics.benchmarkDotNet to its directory (usually BenchmarkDotNet.Artifacts/results)");
        }
    }

    /// <summary>Metric files are read from the baseline's and the candidate's trees, so their paths must be relative and stay inside.</summary>
    static void RelativePath(string key, string? path, Action<string, string> fail)
    {
        if (path is null)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(path) || Path.IsPathRooted(path) || path.Replace('\\', '/').Split('/').Contains(".."))
        {
            fail(key, $"must be a path relative to the repository root, inside it (is \"{path}\"), so baseline and candidate each read their own");
        }
    }

    static void ValidatePolicies(PerfloopConfig config)
    {
        static void Fail(string key, string problem) =>
            throw new PerfloopException($"{PerfloopConfig.FileName}: {key}: {problem}");

        var p = config.Policies ?? throw new PerfloopException($"{PerfloopConfig.FileName}: $.policies: must be an object, not null");
        foreach (var (key, value, minimum) in new[]
        {
            ("rotateAfter", p.RotateAfter, 1), ("plateauAfter", p.PlateauAfter, 1), ("plateauCandidates", p.PlateauCandidates, 1),
            ("stuckAfter", p.StuckAfter, 1), ("stuckGrace", p.StuckGrace, 1), ("diminishingKeeps", p.DiminishingKeeps, 1),
            ("stallWindow", p.StallWindow, 1),
        })
        {
            if (value < minimum)
            {
                Fail($"$.policies.{key}", $"must be at least {minimum} (is {value})");
            }
        }

        if (p.MilestoneEvery is < 3 or > 5)
        {
            Fail("$.policies.milestoneEvery", $"must be between 3 and 5 keeps, as the spec asks (is {p.MilestoneEvery})");
        }

        if (p.NonOptimizableSharePct is < 0 or >= 100)
        {
            Fail("$.policies.nonOptimizableSharePct", $"must be between 0 and 100 (is {p.NonOptimizableSharePct})");
        }

        if (p.DiminishingPct is { } diminishing && diminishing is <= 0 or >= 100)
        {
            Fail("$.policies.diminishingPct", $"must be between 0 and 100 (is {diminishing})");
        }

        if (p.StallPct is < 0 or >= 100)
        {
            Fail("$.policies.stallPct", $"must be between 0 and 100 (is {p.StallPct})");
        }

        var e = config.Escalation ?? throw new PerfloopException($"{PerfloopConfig.FileName}: $.escalation: must be an object, not null");
        if (e.GcPauseSharePct is <= 0 or > 100)
        {
            Fail("$.escalation.gcPauseSharePct", $"must be between 0 and 100 (is {e.GcPauseSharePct})");
        }

        if (e.WallOverCpuRatio <= 1)
        {
            Fail("$.escalation.wallOverCpuRatio", $"must be above 1 (is {e.WallOverCpuRatio})");
        }

        if (e.StartupSharePct is <= 0 or > 100)
        {
            Fail("$.escalation.startupSharePct", $"must be between 0 and 100 (is {e.StartupSharePct})");
        }

        if (e.SuperlinearExponent <= 1)
        {
            Fail("$.escalation.superlinearExponent", $"must be above 1 (is {e.SuperlinearExponent})");
        }

        if (e.StartupCommand is { } startup && string.IsNullOrWhiteSpace(startup))
        {
            Fail("$.escalation.startupCommand", "is empty; remove the key or give a command");
        }

        if (config.Scaling is { } scaling)
        {
            if (!scaling.Command.Contains("{n}", StringComparison.Ordinal))
            {
                Fail("$.scaling.command", "must contain {n}, the place of the input size (e.g. \"./app --items {n}\")");
            }

            if (scaling.Sizes.Count < 3 || scaling.Sizes.Any(s => s <= 0) || scaling.Sizes.Distinct().Count() != scaling.Sizes.Count)
            {
                Fail("$.scaling.sizes", "needs at least 3 distinct positive sizes (e.g. [1000, 2000, 4000])");
            }

            if (scaling.Runs < 1)
            {
                Fail("$.scaling.runs", $"must be at least 1 (is {scaling.Runs})");
            }
        }
    }

    static string Describe(JsonException e)
    {
        var message = e.Message;
        if (message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            return "unknown key";
        }

        if (message.Contains("could not be converted", StringComparison.Ordinal))
        {
            return "wrong type for this key";
        }

        // System.Text.Json appends "Path: ... | LineNumber: ..." which we already show in our own words.
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd('.');
    }
}
