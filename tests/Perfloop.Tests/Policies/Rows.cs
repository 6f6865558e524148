using Perfloop.Journal;

namespace Perfloop.Tests.Policies;

/// <summary>Builders of results rows for policy tests.</summary>
static class Rows
{
    static readonly DateTimeOffset Start = new(2026, 11, 26, 0, 0, 0, TimeSpan.Zero);

    public static ResultRow Baseline(int n = 0) => new()
    {
        Experiment = n,
        Timestamp = Start,
        Domain = "cpu",
        Target = "baseline",
        Metric = "wall_ms",
        Baseline = 300,
        Candidate = 300,
        ThresholdPct = 5,
        Status = ExperimentStatus.Baseline,
        Commit = "base000000001",
    };

    public static ResultRow Keep(int n, string strategy = "algorithm", double delta = -20, string target = "Parser.Parse", string commit = "") => new()
    {
        Experiment = n,
        Timestamp = Start.AddMinutes(n),
        Domain = "cpu",
        Target = target,
        Category = strategy,
        Strategy = strategy,
        Summary = $"keep {n}",
        Metric = "wall_ms",
        Baseline = 300,
        Candidate = 300 * (1 + (delta / 100)),
        DeltaPct = delta,
        CiLowPct = delta - 2,
        CiHighPct = delta + 2,
        Status = ExperimentStatus.Keep,
        Commit = commit.Length > 0 ? commit : $"keep{n:D8}",
        Reason = "improved",
    };

    public static ResultRow Discard(int n, string strategy = "caching", string target = "Parser.Parse", string reason = "no measurable change") => new()
    {
        Experiment = n,
        Timestamp = Start.AddMinutes(n),
        Domain = "cpu",
        Target = target,
        Category = strategy,
        Strategy = strategy,
        Summary = $"discard {n}",
        Metric = "wall_ms",
        Status = ExperimentStatus.Discard,
        Commit = "pre",
        Reason = reason,
    };
}
