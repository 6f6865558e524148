namespace Perfloop.Ranking;

/// <summary>The profile formats Perfloop reads, named for help texts.</summary>
public static class ProfileFormats
{
    /// <summary>Every format <see cref="ProfileFormat"/> names, as a user knows them; a constant so tool descriptions can use it.</summary>
    public const string Described = "folded stacks, speedscope JSON, .NET .nettrace, valgrind callgrind.out, Python cProfile/pstats, V8 .cpuprofile or JDK Flight Recorder .jfr";
}

/// <summary>The profile formats Perfloop reads.</summary>
public enum ProfileFormat
{
    /// <summary>Collapsed stacks: <c>root;caller;leaf weight</c> per line (perf + stackcollapse, py-spy, async-profiler).</summary>
    Folded,

    /// <summary>speedscope's JSON file format, sampled or evented profiles.</summary>
    Speedscope,

    /// <summary>A .NET EventPipe trace (.nettrace) with SampleProfiler CPU samples.</summary>
    Nettrace,

    /// <summary>valgrind's callgrind output: instructions per function and per call arc (native code).</summary>
    Callgrind,

    /// <summary>Python's cProfile/profile statistics (pstats, marshal): time per function and per caller.</summary>
    Pstats,

    /// <summary>V8's CPU profile (.cpuprofile, JSON) as Node.js writes it with --cpu-prof.</summary>
    CpuProfile,

    /// <summary>A JDK Flight Recorder recording (.jfr) with jdk.ExecutionSample events.</summary>
    Jfr,
}

/// <summary>One function as a profiler names it.</summary>
/// <param name="Name">The function's display name (for .NET: namespace, type and method, without the signature).</param>
/// <param name="File">Its source file, when the profiler recorded one.</param>
/// <param name="Module">The binary it lives in (a .NET assembly, a shared library), when known.</param>
/// <param name="ModulePath">Where that binary was loaded from, when known; tells code of the repository from code outside it.</param>
public sealed record ProfileFrame(string Name, string? File = null, string? Module = null, string? ModulePath = null);

/// <summary>One stack seen by the profiler, with how much it weighs (samples, or time for evented profiles).</summary>
/// <param name="Frames">Indices into <see cref="Profile.Frames"/>, from the root (outermost caller) to the leaf.</param>
/// <param name="Weight">Positive; in <see cref="Profile.Unit"/>.</param>
public sealed record ProfileSample(IReadOnlyList<int> Frames, double Weight);

/// <summary>A profile read from any supported format, in one shape the ranking works on.</summary>
/// <param name="Format">The file format it was read from.</param>
/// <param name="Frames">Every distinct frame.</param>
/// <param name="Samples">The stacks and their weights.</param>
/// <param name="Unit">What a sample's weight counts: "samples", "milliseconds", "microseconds", "nanoseconds", "bytes", "none".</param>
public sealed record Profile(ProfileFormat Format, IReadOnlyList<ProfileFrame> Frames, IReadOnlyList<ProfileSample> Samples, string Unit)
{
    /// <summary>GC and allocation figures; only a .NET trace has them.</summary>
    public RuntimeSignals? Runtime { get; init; }

    /// <summary>Samples the reader saw but left out of <see cref="Samples"/> (with why), so a reader of the ranking can judge coverage.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>
    /// Each frame's inclusive weight as the profiler measured it, by frame index, when the profiler records a call
    /// graph rather than stacks (callgrind, cProfile); the ranking prefers it to what the reconstructed stacks imply.
    /// </summary>
    public IReadOnlyList<double>? InclusiveWeights { get; init; }

    /// <summary>Which lines of the program's own files ran, when the runtime counted it (Node.js: V8 coverage); else null.</summary>
    public IReadOnlyList<FileCoverage>? Coverage { get; init; }

    /// <summary>
    /// Every method of the program the runtime saw called at least once, when it kept that list for the whole run (the
    /// JVM's touched-methods list): proof that a method missing from it never ran, which samples cannot give. Else null.
    /// </summary>
    public IReadOnlyList<string>? CalledMethods { get; init; }

    public double TotalWeight => Samples.Sum(s => s.Weight);
}

/// <summary>
/// What a .NET trace says about the garbage collector and allocations — measured signals the loop uses to
/// escalate to the memory domain (a high <see cref="GcPauseShare"/> in a cpu run).
/// </summary>
/// <param name="DurationMs">From the first to the last event of the trace.</param>
/// <param name="GcCount">Garbage collections started.</param>
/// <param name="GcPauseMs">Time the runtime was suspended for a GC (suspend start to restart end, GC reasons only).</param>
/// <param name="AllocationTickBytes">Bytes covered by allocation-tick events (one event per ~100 KB allocated), a sampled estimate of all allocations.</param>
/// <param name="TopAllocatingTypes">The types with the most sampled allocation bytes, highest first.</param>
/// <param name="TopAllocatingMethods">The methods that allocate most: the innermost frame of the program's own code on each allocation's stack (the leaf when none is), highest first.</param>
public sealed record RuntimeSignals(
    double DurationMs,
    int GcCount,
    double GcPauseMs,
    long AllocationTickBytes,
    IReadOnlyList<AllocationSite> TopAllocatingTypes,
    IReadOnlyList<AllocationSite> TopAllocatingMethods)
{
    /// <summary>GC pause time over the trace's duration (0…1).</summary>
    public double GcPauseShare => DurationMs > 0 ? Math.Min(1, GcPauseMs / DurationMs) : 0;
}

/// <summary>A type or method and the allocation bytes the trace attributes to it.</summary>
public sealed record AllocationSite(string Name, long Bytes, double Percent);
