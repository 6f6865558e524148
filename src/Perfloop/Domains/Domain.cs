namespace Perfloop.Domains;

/// <summary>Which way a metric improves.</summary>
public enum MetricGoal
{
    LowerIsBetter,
    HigherIsBetter,
}

/// <summary>
/// A domain is data, not a subclass: what is measured, which way is better, the thresholds,
/// the questions to answer before changing code and the order in which strategies are tried.
/// </summary>
public sealed record Domain(
    string Name,
    string PrimaryMetric,
    string MetricUnit,
    MetricGoal Goal,
    double KeepThresholdPct,
    double MicroThresholdPct,
    IReadOnlyList<string> RotationOrder,
    IReadOnlyList<string> Checklist);

public static class Domains
{
    public static readonly Domain Cpu = new(
        "cpu", "wall_ms", "ms", MetricGoal.LowerIsBetter, 5, 10,
        ["algorithm", "data-structure", "caching", "allocation", "loops", "parallelism", "runtime-knobs"],
        [
            "Which function holds the time, and what share of the whole run is it?",
            "What is its complexity in the input size, and is a better algorithm or data structure known?",
            "Is work repeated that could be computed once or cached?",
            "Do allocations or copies in the hot loop cost more than the work itself?",
            "Can the loop use spans, vectorisation or fewer bounds checks?",
            "Is the work independent enough to run in parallel, and is the machine free to do so?",
        ]);

    public static readonly Domain Memory = new(
        "memory", "peak_rss_mb", "MB", MetricGoal.LowerIsBetter, 5, 10,
        ["streaming", "pooling", "value-types", "smaller-representation", "gc-settings"],
        [
            "What holds the memory at peak, and how long does it live?",
            "Can the data be streamed or released earlier instead of held whole?",
            "Are short-lived buffers allocated repeatedly where a pool would do?",
            "Would structs, spans or a smaller representation shrink the working set?",
            "Do GC settings (server, concurrent, conserve memory) fit this workload?",
        ]);

    public static readonly Domain Async = new(
        "async", "wall_ms", "ms", MetricGoal.LowerIsBetter, 10, 20,
        ["concurrent-awaits", "remove-blocking", "bounded-parallelism", "valuetask", "pool-sizing"],
        [
            "Which awaits are independent and could run concurrently?",
            "Does anything block a thread (.Result, .Wait(), synchronous I/O) on an async path?",
            "Is parallelism bounded, and what is the right degree for this machine and backend?",
            "Do per-call allocations (Task, closures) matter at this call rate?",
            "Are pools (threads, connections) sized for the load?",
        ]);

    public static readonly Domain Structure = new(
        "structure", "wall_ms", "ms", MetricGoal.LowerIsBetter, 5, 10,
        ["lazy-init", "fewer-dependencies", "ready-to-run", "less-reflection", "static-ctor"],
        [
            "What runs before the first useful work, and is all of it needed at start?",
            "Which dependencies are loaded at startup and could be deferred or dropped?",
            "Would ReadyToRun or tiering settings cut JIT time at start?",
            "Is reflection or scanning done at start that could be generated or cached?",
            "Do static constructors do heavy work?",
        ]);

    public static IReadOnlyList<Domain> All { get; } = [Cpu, Memory, Async, Structure];

    public static Domain? Find(string name) =>
        All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase));

    public static string Names => string.Join("|", All.Select(d => d.Name));
}
