using Perfloop.Configuration;
using Perfloop.Domains;
using Perfloop.Statistics;

namespace Perfloop.Measurement;

/// <summary>The metric a verdict is taken on, which way is better, its unit, and where its values come from.</summary>
public sealed record SelectedMetric(string Name, MetricDirection Direction, string Unit, MetricSources Sources)
{
    /// <summary>The same metric named in words for status lines: "wall_ms (lower is better)".</summary>
    public string Describe() => $"{Name} ({(Direction == MetricDirection.LowerIsBetter ? "lower" : "higher")} is better)";
}

/// <summary>
/// Chooses the primary metric: the domain's (cpu, async, structure → wall_ms; memory → peak_rss_mb) unless
/// perfloop.json's <c>metric</c> names another, with its goal (<c>lower</c>/<c>higher</c>), which is required for
/// metrics Perfloop does not know. Pure: the loop, <c>calibrate</c> and <c>verdict</c> all call this one function.
/// </summary>
public static class MetricSelection
{
    public const string Lower = MetricVocabulary.LowerGoal;
    public const string Higher = MetricVocabulary.HigherGoal;

    public static SelectedMetric Select(PerfloopConfig config, Domain domain)
    {
        var sources = MetricSources.From(config.Metrics);
        if (config.Metric is not { } chosen || string.IsNullOrWhiteSpace(chosen.Name))
        {
            var direction = domain.Goal == MetricGoal.LowerIsBetter ? MetricDirection.LowerIsBetter : MetricDirection.HigherIsBetter;
            return new SelectedMetric(domain.PrimaryMetric, direction, UnitOf(domain.PrimaryMetric), sources);
        }

        var name = chosen.Name.Trim();
        var goal = ParseGoal(chosen.Goal) ?? KnownDirection(name)
            ?? throw new InvalidOperationException($"metric '{name}' needs a goal; ConfigStore validation should have said so");
        return new SelectedMetric(name, goal, UnitOf(name), sources);
    }

    /// <summary>
    /// The instruction counter perfloop.json asks for: <c>measurement.instructionCounter</c>, or "auto" when the
    /// metric is <c>instructions</c> without one; null when instructions are not counted.
    /// </summary>
    public static string? InstructionCounterSetting(PerfloopConfig config) =>
        config.Measurement.InstructionCounter?.Trim().ToLowerInvariant()
        ?? (config.Metric?.Name.Trim() == MetricNames.Instructions ? InstructionCounter.Auto : null);

    /// <summary>"lower" or "higher" (any case); <c>null</c> for a missing or unknown word.</summary>
    public static MetricDirection? ParseGoal(string? goal) => MetricVocabulary.ParseGoal(goal);

    /// <summary>The direction of the metrics Perfloop measures or reads itself; <c>null</c> for a user's own metric.</summary>
    public static MetricDirection? KnownDirection(string name) => MetricVocabulary.KnownDirection(name);

    /// <summary>The unit printed after a value, from the metric's name (its suffix); empty when unknown.</summary>
    public static string UnitOf(string name) =>
        name switch
        {
            _ when name.EndsWith("_ms", StringComparison.Ordinal) => "ms",
            _ when name.EndsWith("_ns", StringComparison.Ordinal) => "ns",
            _ when name.EndsWith("_us", StringComparison.Ordinal) => "µs",
            _ when name.EndsWith("_mb", StringComparison.Ordinal) => "MB",
            _ when name.EndsWith("_bytes", StringComparison.Ordinal) => "B",
            _ when name.EndsWith("_pct", StringComparison.Ordinal) => "%",
            _ => "",
        };
}
