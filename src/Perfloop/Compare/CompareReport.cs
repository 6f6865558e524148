using Perfloop.Statistics;

namespace Perfloop.Compare;

/// <summary>A ref as given by the user and the commit it resolved to.</summary>
public sealed record RefInfo(string Ref, string Commit, string Subject);

/// <summary>What a comparison of one benchmark concluded, in words a reader of a pull request expects.</summary>
public enum CompareVerdict
{
    /// <summary>The head is better than the base beyond the threshold (faster, for a time).</summary>
    Better,

    /// <summary>The head is worse than the base beyond the threshold (slower, for a time): a regression.</summary>
    Worse,

    /// <summary>The interval lies inside ±threshold.</summary>
    Same,

    /// <summary>The budget ended before the interval settled.</summary>
    Inconclusive,

    /// <summary>A run of the benchmark failed, so nothing was concluded.</summary>
    Failed,
}

/// <summary>Base and head medians of one figure; either is null when the runs did not report it.</summary>
public sealed record MedianPair(string Name, double? Base, double? Head)
{
    /// <summary>head / base, when both are known and the base is not zero.</summary>
    public double? Ratio => Base is { } b && Head is { } h && b != 0 ? h / b : null;
}

/// <summary>
/// The comparison of one benchmark command between base and head: medians of the primary metric, the
/// paired ratio head/base with its interval, the verdict, and memory figures when the runs reported them.
/// </summary>
public sealed record BenchmarkComparison
{
    public required string Name { get; init; }

    public required string Command { get; init; }

    /// <summary>Median of the primary metric on the base side; null when no pair was measured.</summary>
    public double? BaseMedian { get; init; }

    public double? HeadMedian { get; init; }

    /// <summary>The base median times the paired ratio (the head's median when there is no estimate): the head's figure that agrees with the estimate.</summary>
    public double? HeadAtRatio => BaseMedian is { } baseMedian && Estimate is { Ratio: > 0 } e ? baseMedian * e.Ratio : HeadMedian;

    /// <summary>Paired Hodges–Lehmann ratio head/base with its interval; null when the comparison failed early.</summary>
    public RatioEstimate? Estimate { get; init; }

    public required CompareVerdict Verdict { get; init; }

    /// <summary>The interval excludes 1 in the bad direction (may be smaller than the threshold).</summary>
    public bool SignificantlyWorse { get; init; }

    public bool SignificantlyBetter { get; init; }

    public int Pairs { get; init; }

    public required string StopReason { get; init; }

    /// <summary>Why a run failed ("head run exit code 1: ..."), when <see cref="Verdict"/> is Failed.</summary>
    public string? Failure { get; init; }

    /// <summary>Median peak RSS in MB of each side, when the platform reported it for every run.</summary>
    public MedianPair? PeakRssMb { get; init; }

    /// <summary>Allocations from a <c>METRIC</c> line whose name contains "alloc", when the benchmark prints one.</summary>
    public MedianPair? Allocations { get; init; }

    /// <summary>Medians of every other <c>METRIC name=value</c> line the benchmark printed.</summary>
    public IReadOnlyList<MedianPair> Metrics { get; init; } = [];

    /// <summary>The primary metric of every measured run, in pair order, so the verdict can be re-checked.</summary>
    public IReadOnlyList<double> BaseSamples { get; init; } = [];

    public IReadOnlyList<double> HeadSamples { get; init; } = [];

    public TimeSpan Elapsed { get; init; }

    /// <summary>base/head for a lower-is-better metric (2 = twice as fast), head/base otherwise; null when unknown.</summary>
    public double? Speedup(MetricDirection direction) => Estimate is { Ratio: > 0 } e
        ? (direction == MetricDirection.LowerIsBetter ? 1 / e.Ratio : e.Ratio)
        : null;
}

/// <summary>The end-to-end comparison of two refs: one <see cref="BenchmarkComparison"/> per benchmark command.</summary>
public sealed record CompareReport
{
    /// <summary>Identifies the JSON shape; bumped on any incompatible change (see docs/json-schemas.md).</summary>
    public const string SchemaId = "perfloop.compare/v1";

    public required RefInfo Base { get; init; }

    public required RefInfo Head { get; init; }

    public required string Domain { get; init; }

    public required string Metric { get; init; }

    public required string Unit { get; init; }

    public required MetricDirection Direction { get; init; }

    /// <summary>Changes smaller than this (in percent) count as the same.</summary>
    public required double ThresholdPct { get; init; }

    /// <summary>Overall error budget of the sequential test across its looks.</summary>
    public required double Alpha { get; init; }

    public required IReadOnlyList<BenchmarkComparison> Benchmarks { get; init; }

    public required DateTimeOffset Started { get; init; }

    public required TimeSpan Elapsed { get; init; }

    /// <summary>A benchmark got worse beyond the threshold with the interval clear of it: what <c>--fail-on-regression</c> fails on.</summary>
    public bool HasRegression => Benchmarks.Any(b => b.Verdict == CompareVerdict.Worse);

    public bool HasFailure => Benchmarks.Any(b => b.Verdict == CompareVerdict.Failed);

    /// <summary>Whether the metric is a time, so verdicts read faster/slower rather than better/worse.</summary>
    public bool IsTime => Unit == "ms";

    public string VerdictWord(CompareVerdict verdict) => verdict switch
    {
        CompareVerdict.Better => IsTime ? "faster" : "better",
        CompareVerdict.Worse => IsTime ? "slower" : "worse",
        CompareVerdict.Same => "same",
        CompareVerdict.Inconclusive => "inconclusive",
        _ => "failed",
    };
}
