using System.Globalization;
using Perfloop.Statistics;

namespace Perfloop.Measurement;

/// <summary>The A/A noise of one metric, and whether it did not vary at all.</summary>
public sealed record MetricNoise(string Metric, NoiseEstimate Noise, bool Deterministic);

/// <summary>What <see cref="MetricChooser.Choose"/> needs: the A/A calibration's runs, the domain, and what perfloop.json says.</summary>
/// <param name="Calibration">Every run of the A/A calibration (both sides ran the unchanged code), with its load evidence.</param>
/// <param name="Domain">cpu, memory, async or structure.</param>
/// <param name="Configured">The metric <see cref="MetricSelection.Select"/> gives: perfloop.json's, else the domain's.</param>
/// <param name="Explicit">perfloop.json names the metric (<c>metric.name</c>): it always wins.</param>
/// <param name="DomainThresholdPct">thresholds.keepPct, else the domain's keep threshold.</param>
/// <param name="Cores">Logical CPUs of the machine (for the load-average fallback).</param>
/// <param name="K">Multiplier of the A/A noise in the effective threshold.</param>
public sealed record MetricChoiceInput(
    IReadOnlyList<RunSample> Calibration,
    string Domain,
    SelectedMetric Configured,
    bool Explicit,
    double DomainThresholdPct,
    int Cores,
    double K = NoiseCalibration.DefaultK);

/// <summary>
/// The metric that judges this session's verdicts, fixed at calibration, before any A/B data.
/// </summary>
/// <param name="Metric">The judging metric's name.</param>
/// <param name="Direction">Which way is better.</param>
/// <param name="Why">Why this metric, in words for the status line and the results row.</param>
/// <param name="Noise">Its A/A noise and effective threshold max(domain, k × noise).</param>
/// <param name="Deterministic">Every A/A run gave the same value: the A/B verdict can end after one block (<see cref="SequentialDesign.Deterministic"/>).</param>
/// <param name="WallGuard">The metric stands in for wall time (cpu_ms, instructions in the cpu domain): a KEEP must pass <see cref="WallTimeGuard"/>.</param>
/// <param name="Candidates">The A/A noise of every metric considered.</param>
/// <param name="OffCpu">The wall/CPU evidence the choice rested on; null when no choice was made (explicit metric, other domains).</param>
public sealed record MetricChoice(
    string Metric,
    MetricDirection Direction,
    string Why,
    NoiseEstimate Noise,
    bool Deterministic,
    bool WallGuard,
    IReadOnlyList<MetricNoise> Candidates,
    OffCpuSummary? OffCpu)
{
    public double EffectiveThresholdPct => Noise.EffectiveThresholdPct;

    /// <summary>The configured sequential design, made deterministic when the chosen metric is (fixed before the A/B data).</summary>
    public SequentialDesign Design(SequentialDesign configured)
    {
        ArgumentNullException.ThrowIfNull(configured);
        return configured with { Deterministic = Deterministic };
    }

    /// <summary>"A/A noise: wall_ms 35.2%, cpu_ms 0.4%, instructions 0 (deterministic)": every metric considered, for the record.</summary>
    public string DescribeCandidates() =>
        string.Join(", ", Candidates.Select(c => c.Deterministic
            ? $"{c.Metric} 0 (deterministic)"
            : string.Create(CultureInfo.InvariantCulture, $"{c.Metric} {c.Noise.NoisePct:0.##}%")));
}

/// <summary>
/// Chooses the metric that judges, by evidence from the A/A calibration, never by hope. Pure: runs in, choice out.
/// <list type="number">
/// <item>A metric named in perfloop.json always wins.</item>
/// <item>Outside the cpu domain the domain's metric judges (peak RSS, throughput, startup time are what those domains are about).</item>
/// <item>In the cpu domain, CPU time (and the instruction count, when counted) may stand in for wall time only when it is
/// a faithful proxy: the program is single-threaded and CPU-bound, i.e. CPU time ≈ busy wall time (wall time minus
/// run-queue wait, or plain wall time on uncontended runs), median ratio within [<see cref="FaithfulLow"/>,
/// <see cref="FaithfulHigh"/>]. Above: several threads work at once; below: the program waits. Either way wall time judges.</item>
/// <item>Among wall time and the faithful proxies, the least noisy in the A/A judges; a tie goes to wall time, then CPU time.</item>
/// </list>
/// A proxy's KEEP must then pass <see cref="WallTimeGuard"/>. The effective threshold is the chosen metric's own.
/// </summary>
public static class MetricChooser
{
    /// <summary>Lowest median CPU time / busy wall time of a faithful proxy (at most 10% of the busy time spent waiting).</summary>
    public const double FaithfulLow = 0.9;

    /// <summary>Highest median CPU time / busy wall time of a faithful proxy (at most 10% more CPU than time: no real parallelism).</summary>
    public const double FaithfulHigh = 1.1;

    public static MetricChoice Choose(MetricChoiceInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var configured = input.Configured;
        if (input.Explicit || input.Domain != "cpu" || configured.Name != MetricNames.WallMs)
        {
            var noise = Calibrate(input, configured.Name)
                ?? throw new ArgumentException($"the calibration has fewer than 3 complete pairs of '{configured.Name}'", nameof(input));
            var proxy = input.Domain == "cpu" && configured.Name is MetricNames.CpuMs or MetricNames.Instructions;
            var why = input.Explicit ? $"{configured.Name}: named in perfloop.json" : $"{configured.Name}: the {input.Domain} domain's metric";
            return new MetricChoice(configured.Name, configured.Direction, why, noise.Noise, noise.Deterministic, proxy, [noise], null);
        }

        var wall = Calibrate(input, MetricNames.WallMs)
            ?? throw new ArgumentException("the calibration has fewer than 3 complete pairs of wall_ms", nameof(input));
        var proxies = new[] { MetricNames.CpuMs, MetricNames.Instructions }
            .Select(name => Calibrate(input, name))
            .OfType<MetricNoise>()
            .ToList();
        var candidates = new List<MetricNoise> { wall };
        candidates.AddRange(proxies);
        var offCpu = ContentionEvidence.Summarize(input.Calibration, input.Cores);
        if (proxies.Count == 0)
        {
            return WallChoice(wall, candidates, offCpu, "no CPU time was measured");
        }

        if (offCpu.CpuOverBusyWall is not { } ratio)
        {
            return WallChoice(wall, candidates, offCpu, $"CPU time could not be shown to stand for it: {offCpu.Unmeasurable}");
        }

        var evidence = Evidence(offCpu);
        if (ratio > FaithfulHigh)
        {
            return WallChoice(wall, candidates, offCpu, $"several threads work at once (CPU time {evidence})");
        }

        if (ratio < FaithfulLow)
        {
            return WallChoice(wall, candidates, offCpu, $"the program waits (CPU time {evidence})");
        }

        var best = proxies.OrderBy(p => p.Noise.NoisePct).First();
        if (best.Noise.NoisePct >= wall.Noise.NoisePct)
        {
            return WallChoice(wall, candidates, offCpu,
                string.Create(CultureInfo.InvariantCulture, $"CPU time is a faithful proxy ({evidence}) but not less noisy (A/A noise: {Describe(candidates)})"));
        }

        var reason = string.Create(CultureInfo.InvariantCulture,
            $"{best.Metric}: single-threaded and CPU-bound (CPU time {evidence}), and less noisy than wall time (A/A noise: {Describe(candidates)}); a KEEP must not be contradicted by wall time");
        return new MetricChoice(best.Metric, MetricDirection.LowerIsBetter, reason, best.Noise, best.Deterministic, WallGuard: true, candidates, offCpu);
    }

    static MetricChoice WallChoice(MetricNoise wall, IReadOnlyList<MetricNoise> candidates, OffCpuSummary offCpu, string why) =>
        new(MetricNames.WallMs, MetricDirection.LowerIsBetter, $"wall_ms: {why}", wall.Noise, wall.Deterministic, WallGuard: false, candidates, offCpu);

    static string Evidence(OffCpuSummary offCpu) => offCpu.Describe("A/A runs");

    static string Describe(IEnumerable<MetricNoise> candidates) =>
        string.Join(", ", candidates.Select(c => c.Deterministic
            ? $"{c.Metric} 0, deterministic"
            : string.Create(CultureInfo.InvariantCulture, $"{c.Metric} {c.Noise.NoisePct:0.##}%")));

    /// <summary>The A/A noise of one metric over the complete pairs of the calibration; null when fewer than 3 pairs have it.</summary>
    static MetricNoise? Calibrate(MetricChoiceInput input, string metric)
    {
        var pairs = input.Calibration
            .Where(s => s.Pair >= 0)
            .GroupBy(s => s.Pair)
            .Select(g => (A1: g.FirstOrDefault(s => s.Side == Side.Baseline)?.Value(metric), A2: g.FirstOrDefault(s => s.Side == Side.Candidate)?.Value(metric)))
            .Where(p => p.A1 is > 0 && p.A2 is > 0)
            .ToList();
        if (pairs.Count < 3)
        {
            return null;
        }

        var a1 = pairs.Select(p => p.A1!.Value).ToList();
        var a2 = pairs.Select(p => p.A2!.Value).ToList();
        return new MetricNoise(metric, NoiseCalibration.Calibrate(a1, a2, input.DomainThresholdPct, input.K), SequentialDesign.IsDeterministic(a1, a2));
    }
}
