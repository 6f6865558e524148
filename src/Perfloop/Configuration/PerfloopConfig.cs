using System.Text.Json.Serialization;

namespace Perfloop.Configuration;

/// <summary>The contents of <c>perfloop.json</c> at the repository root.</summary>
public sealed record PerfloopConfig
{
    public const string FileName = "perfloop.json";
    public const int CurrentVersion = 1;

    [JsonPropertyName("$schema")]
    public string? Schema { get; init; }

    public int Version { get; init; } = CurrentVersion;

    /// <summary>cpu, memory, async or structure.</summary>
    public string Domain { get; init; } = "cpu";

    /// <summary>Shell command that builds the program; runs in the tree being measured.</summary>
    public string? Build { get; init; }

    /// <summary>Shell command whose run is the benchmark; required.</summary>
    public string Bench { get; init; } = "";

    /// <summary>
    /// Shell command that must pass after every benchmarked candidate (the tests). Committed with the rest of the setup so
    /// every clone and CI machine has it; <c>.perfloop/conventions.md</c> shows it under <c>## Guard</c>.
    /// </summary>
    public string? Guard { get; init; }

    /// <summary>Representative runs whose output must never change.</summary>
    public IReadOnlyList<OracleSpec> Oracles { get; init; } = [];

    public ThresholdSettings Thresholds { get; init; } = new();

    /// <summary>Overrides the domain's primary metric (name and goal); <c>null</c> keeps the domain's.</summary>
    public MetricSettings? Metric { get; init; }

    /// <summary>Where metrics come from besides wall/CPU/RSS and <c>METRIC name=value</c> lines.</summary>
    public MetricSourceSettings Metrics { get; init; } = new();

    public MeasurementSettings Measurement { get; init; } = new();

    public TimeoutSettings Timeouts { get; init; } = new();

    /// <summary>The end-to-end comparison after each KEEP (spec: compare the pre-optimization commit with HEAD).</summary>
    [JsonPropertyName("e2e")]
    public EndToEndSettings EndToEnd { get; init; } = new();

    /// <summary>Paths (prefixes or globs with *) that a candidate may never touch, on top of the defaults.</summary>
    public IReadOnlyList<string> ProtectedPaths { get; init; } = [];

    /// <summary>Known targets: their micro-benchmarks and profile shares.</summary>
    public IReadOnlyList<TargetSettings> Targets { get; init; } = [];

    /// <summary>
    /// "discard" (default) or "warn": what happens to a candidate whose changed functions never run in the
    /// benchmark's profile. A change to the bench script itself is always discarded.
    /// </summary>
    public string Fidelity { get; init; } = FidelityModes.Discard;

    /// <summary>When the loop rotates strategies, checks for a plateau, recovers when stuck, stops and cuts milestones.</summary>
    public PolicySettings Policies { get; init; } = new();

    /// <summary>The measured signals that make the loop suggest another domain.</summary>
    public EscalationSettings Escalation { get; init; } = new();

    /// <summary>A size-parameterized run (<c>{n}</c> in the command) to fit how time grows with input size; optional.</summary>
    public ScalingSettings? Scaling { get; init; }

    /// <summary>Where candidates are evaluated: here, one at a time (absent or <c>local</c>), or as cluster jobs (docs/cluster.md).</summary>
    public ExecutorSettings? Executor { get; init; }
}

/// <summary>The numbers of the loop's policies; defaults are the spec's.</summary>
public sealed record PolicySettings
{
    /// <summary>Consecutive discards of one strategy before switching to the domain's next strategy.</summary>
    public int RotateAfter { get; init; } = 3;

    /// <summary>Consecutive discards (any strategy) before checking whether the top candidates are non-optimizable.</summary>
    public int PlateauAfter { get; init; } = 3;

    /// <summary>How many of the top ranked candidates must all be non-optimizable to stop on a plateau.</summary>
    public int PlateauCandidates { get; init; } = 3;

    /// <summary>A ranked function under this share of the profile (percent) is not worth optimizing.</summary>
    public double NonOptimizableSharePct { get; init; } = 2;

    /// <summary>Consecutive discards that trigger the stuck-state recovery protocol.</summary>
    public int StuckAfter { get; init; } = 5;

    /// <summary>Experiments allowed after stuck recovery without an improvement before the session stops.</summary>
    public int StuckGrace { get; init; } = 3;

    /// <summary>Keeps between milestones (3–5).</summary>
    public int MilestoneEvery { get; init; } = 3;

    /// <summary>Diminishing returns: this many most recent keeps…</summary>
    public int DiminishingKeeps { get; init; } = 3;

    /// <summary>…each improved the metric by less than this (percent); null = 1.5 × the domain's keep threshold.</summary>
    public double? DiminishingPct { get; init; }

    /// <summary>Cumulative stall: the last this-many experiments…</summary>
    public int StallWindow { get; init; } = 10;

    /// <summary>…improved the metric by less than this in all (percent).</summary>
    public double StallPct { get; init; } = 2;
}

/// <summary>Thresholds of the measured cross-domain signals.</summary>
public sealed record EscalationSettings
{
    /// <summary>GC pause share of a traced run (percent) above which a cpu session suggests memory.</summary>
    public double GcPauseSharePct { get; init; } = 10;

    /// <summary>Median wall time over median CPU time of the baseline above which a cpu session suggests async.</summary>
    public double WallOverCpuRatio { get; init; } = 2;

    /// <summary>
    /// …and the program must wait at least this long per run (ms, median wall − median CPU time). Below it, what a
    /// tiny program seems to wait on a busy machine is the harness's own latency in noticing its exit (0.9–4 ms per
    /// run of a 1 ms program beside four spinners), and there is little for async code to win anyway.
    /// </summary>
    public double MinWaitMs { get; init; } = 10;

    /// <summary>Shell command of a trivial run (e.g. <c>--version</c>) whose time is the program's startup; optional.</summary>
    public string? StartupCommand { get; init; }

    /// <summary>Startup time as a share of the benchmark's time (percent) above which the session suggests structure.</summary>
    public double StartupSharePct { get; init; } = 50;

    /// <summary>Fitted exponent of time in input size above which the session suggests a cpu algorithm change.</summary>
    public double SuperlinearExponent { get; init; } = 1.3;
}

/// <summary>A command with <c>{n}</c> for the input size, and the sizes to run it at.</summary>
public sealed record ScalingSettings
{
    public string Command { get; init; } = "";

    public IReadOnlyList<int> Sizes { get; init; } = [];

    /// <summary>Runs per size; the median is used.</summary>
    public int Runs { get; init; } = 3;
}

/// <summary>An oracle command, and the files it writes that must stay identical too.</summary>
public sealed record OracleSpec
{
    public string Command { get; init; } = "";

    public IReadOnlyList<string> Files { get; init; } = [];
}

/// <summary>Overrides of the domain's thresholds, in percent.</summary>
public sealed record ThresholdSettings
{
    public double? KeepPct { get; init; }

    public double? MicroPct { get; init; }

    /// <summary>
    /// Share of the benchmark's profile (percent) a target must hold to count as a confirmed hot path, which lets a
    /// micro-benchmark gain alone keep a change; default 5.
    /// </summary>
    public double HotPathSharePct { get; init; } = 5;
}

public sealed record MeasurementSettings
{
    /// <summary>Untimed runs of each side before measuring, so caches and disks are warm.</summary>
    public int WarmupRuns { get; init; } = 1;

    /// <summary>Pairs (one baseline run and one candidate run) measured before the first look.</summary>
    public int MinRuns { get; init; } = 6;

    public int MaxRuns { get; init; } = 60;

    /// <summary>Pairs of the A/A run at session start that measures the machine's noise for this benchmark.</summary>
    public int CalibrationRuns { get; init; } = 10;

    /// <summary>Time budget for one verdict; when it runs out the verdict is taken on what was measured.</summary>
    public double MaxSeconds { get; init; } = 180;

    /// <summary>Random seed for the order of runs inside each block; fixed so a session can be replayed.</summary>
    public int Seed { get; init; } = 20261126;

    /// <summary>
    /// Counts each run's instructions as the metric <c>instructions</c>: "callgrind" (valgrind), "perf" (hardware
    /// counters) or "auto" (perf where it can count, else callgrind). Null: not counted, unless the metric is
    /// <c>instructions</c>, which implies "auto".
    /// </summary>
    public string? InstructionCounter { get; init; }
}

public sealed record EndToEndSettings
{
    public bool Enabled { get; init; } = true;

    /// <summary>The whole-program benchmark, when it differs from <see cref="PerfloopConfig.Bench"/> (e.g. bench is a micro harness).</summary>
    public string? Bench { get; init; }
}

public sealed record TimeoutSettings
{
    public double BuildSeconds { get; init; } = 900;

    public double BenchSeconds { get; init; } = 600;

    public double OracleSeconds { get; init; } = 600;

    public double GuardSeconds { get; init; } = 1800;
}

/// <summary>The metric a verdict is taken on, instead of the domain's default.</summary>
public sealed record MetricSettings
{
    /// <summary>wall_ms, cpu_ms, peak_rss_mb, a METRIC line's name, a JSON metric or a BenchmarkDotNet metric.</summary>
    public string Name { get; init; } = "";

    /// <summary>"lower" or "higher": which way is better. Required for a metric Perfloop does not know.</summary>
    public string? Goal { get; init; }
}

/// <summary>Metric files the benchmark writes; paths are relative to the tree being measured.</summary>
public sealed record MetricSourceSettings
{
    /// <summary>
    /// A JSON file the benchmark writes on every run. Every number in it becomes a metric named by its path
    /// (<c>a.b.c</c>, array elements as <c>a.0</c>), unless <see cref="Select"/> names the ones to take.
    /// </summary>
    public string? JsonFile { get; init; }

    /// <summary>Metric name → path in <see cref="JsonFile"/> (<c>a.b.c</c> or <c>a[0].b</c>).</summary>
    public IReadOnlyDictionary<string, string>? Select { get; init; }

    /// <summary>
    /// Directory holding BenchmarkDotNet's full JSON export (<c>*-report-full.json</c> or
    /// <c>*-report-full-compressed.json</c>), usually <c>BenchmarkDotNet.Artifacts/results</c>.
    /// </summary>
    public string? BenchmarkDotNet { get; init; }
}
