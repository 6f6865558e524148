using System.Text.Json;
using System.Text.Json.Serialization;
using Perfloop.Errors;

namespace Perfloop.Configuration;

/// <summary>Reads and writes <c>perfloop.json</c>; every error names the file, the line and the key.</summary>
public static class ConfigStore
{
    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.Strict,
    };

    public static string PathIn(string repositoryRoot) => Path.Combine(repositoryRoot, PerfloopConfig.FileName);

    public static PerfloopConfig Load(string repositoryRoot)
    {
        var path = PathIn(repositoryRoot);
        if (!File.Exists(path))
        {
            throw new PerfloopException(
                $"{PerfloopConfig.FileName}: not found in {repositoryRoot}; run 'perfloop init --bench CMD' first");
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
                $"{PerfloopConfig.FileName}: {line}{key}{Describe(e)}; fix the file or re-run 'perfloop init'", ExitCodes.Usage, e);
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
        var json = JsonSerializer.Serialize(config, JsonOptions);
        File.WriteAllText(PathIn(repositoryRoot), json + "\n");
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
            Fail("$.bench", "the benchmark command is missing; set it or run 'perfloop init --bench CMD'");
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

        if (m.InstructionCounter is { } counter && !Measurement.InstructionCounter.Settings.Contains(counter.Trim().ToLowerInvariant()))
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

        var t = config.Timeouts;
        foreach (var (key, value) in new[]
        {
            ("buildSeconds", t.BuildSeconds), ("benchSeconds", t.BenchSeconds),
            ("oracleSeconds", t.OracleSeconds), ("guardSeconds", t.GuardSeconds),
        })
        {
            if (value <= 0)
            {
                Fail($"$.timeouts.{key}", "must be positive");
            }
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
                if (!Measurement.MetricNames.IsValidName(name))
                {
                    fail($"$.metrics.select.{name}", "a metric name may hold letters, digits and _ . - : ( ) , [ ] only");
                }

                if (Measurement.JsonMetrics.Segments(path ?? "") is null)
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

        if (metric.Goal is not null && Measurement.MetricSelection.ParseGoal(metric.Goal) is null)
        {
            fail("$.metric.goal", $"must be \"lower\" or \"higher\" (is \"{metric.Goal}\")");
        }

        if (metric.Goal is null && Measurement.MetricSelection.KnownDirection(metric.Name.Trim()) is null)
        {
            fail("$.metric.goal", $"'{metric.Name}' is not a metric Perfloop knows; say which way is better with \"goal\": \"lower\" or \"higher\"");
        }

        if (metric.Name.StartsWith(Measurement.BenchmarkDotNetReport.Prefix, StringComparison.Ordinal) && sources.BenchmarkDotNet is null)
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
