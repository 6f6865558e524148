namespace Perfloop.Configuration;

/// <summary>
/// A target the loop may pick (<c>targets[]</c> in perfloop.json), matched against an experiment's <c>Target</c>
/// by name: the experiment's target equals <see cref="Name"/> or starts with it followed by a non-identifier
/// character ("PrimeScanner.PrimesUpTo" matches "PrimeScanner.PrimesUpTo prime generation"); the longest name wins.
/// </summary>
public sealed record TargetSettings
{
    public string Name { get; init; } = "";

    /// <summary>Share of the benchmark's profile (percent) this target holds, when no profile ranking says so.</summary>
    public double? ProfileSharePct { get; init; }

    /// <summary>A quick benchmark of this target alone, run A/B before the whole-program benchmark.</summary>
    public MicroSettings? Micro { get; init; }
}

/// <summary>
/// How to micro-benchmark a target; exactly one kind: <see cref="Command"/> (any language), <see cref="BenchmarkDotNet"/>
/// (a filter over a BenchmarkDotNet project) or <see cref="DotnetMethod"/> (a .NET method, in-process).
/// </summary>
public sealed record MicroSettings
{
    /// <summary>Shell command run in the baseline tree and in the work tree; its wall time, or <see cref="Metric"/>, is measured.</summary>
    public string? Command { get; init; }

    /// <summary>A <c>METRIC name=value</c> line the command prints; default <c>wall_ms</c> (the command's wall time).</summary>
    public string? Metric { get; init; }

    /// <summary>"lower" (default) or "higher": which way <see cref="Metric"/> improves.</summary>
    public string? Better { get; init; }

    public BenchmarkDotNetMicro? BenchmarkDotNet { get; init; }

    public DotnetMethodMicro? DotnetMethod { get; init; }
}

/// <summary>
/// A BenchmarkDotNet project run as <c>dotnet run -c Release --project P -- --filter F --exporters json</c> in both
/// trees; one run of it is one sample (the median time per operation of the filtered benchmarks, summed).
/// </summary>
public sealed record BenchmarkDotNetMicro
{
    /// <summary>Path of the benchmark project, relative to the repository root.</summary>
    public string Project { get; init; } = "";

    /// <summary>BenchmarkDotNet's <c>--filter</c> glob, e.g. <c>*Primes*</c>.</summary>
    public string Filter { get; init; } = "*";

    /// <summary>More BenchmarkDotNet arguments, e.g. <c>["--job", "short"]</c> to keep each run brief.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];
}

/// <summary>A .NET method measured in-process, baseline and candidate assemblies side by side in their own load contexts.</summary>
public sealed record DotnetMethodMicro
{
    /// <summary>The built assembly holding the method, relative to the tree (e.g. <c>out/Demo.dll</c>).</summary>
    public string Assembly { get; init; } = "";

    /// <summary>Full name of the declaring type.</summary>
    public string Type { get; init; } = "";

    /// <summary>A static method; its arguments come from <see cref="Arguments"/>.</summary>
    public string Method { get; init; } = "";

    /// <summary>Arguments as JSON literals converted to the parameters' types.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];
}

/// <summary>What to do with a candidate whose changed functions never run in the benchmark.</summary>
public static class FidelityModes
{
    public const string Discard = "discard";
    public const string Warn = "warn";
}
