using System.Globalization;
using Perfloop.Configuration;
using Perfloop.Journal;

namespace Perfloop.Policies;

/// <summary>A measured signal that the real bottleneck belongs to another domain.</summary>
/// <param name="Signal">What was measured, with the figures.</param>
/// <param name="Domain">The domain it suggests.</param>
/// <param name="Key">A stable name of the signal, so a session records it once.</param>
public sealed record EscalationFinding(string Key, string Signal, string Domain)
{
    /// <summary>The spec's wording to the user.</summary>
    public string Message(string currentDomain) =>
        $"the real bottleneck looks like {Signal} — this is a {Domain} issue, not {currentDomain}; to switch, set \"domain\": \"{Domain}\" in perfloop.json (Perfloop does not switch on its own)";

    public string Reason => $"{Signal} | suggests {Domain}";

    public ResultRow ToRow(int experiment, DateTimeOffset timestamp, string domain, string metric) => new()
    {
        Experiment = experiment,
        Timestamp = timestamp,
        Domain = domain,
        Target = Key,
        Summary = $"suggests {Domain}",
        Metric = metric,
        Status = ExperimentStatus.Escalate,
        Reason = Reason,
    };
}

/// <summary>Everything measured that can point at another domain; null where it was not measured.</summary>
public sealed record EscalationSignals
{
    /// <summary>Median wall time of the baseline's runs (ms).</summary>
    public double? WallMs { get; init; }

    /// <summary>Median CPU time (user + system, children included) of the baseline's runs (ms).</summary>
    public double? CpuMs { get; init; }

    /// <summary>
    /// The baseline runs' wall/CPU relation with the machine's contention taken out (wall time less run-queue wait, or
    /// uncontended runs only). When set, the "mostly waits" rule reads it instead of <see cref="WallMs"/>/<see cref="CpuMs"/>,
    /// so a program waiting for a CPU on a busy machine is not taken for one waiting for I/O.
    /// </summary>
    public Measurement.OffCpuSummary? OffCpu { get; init; }

    /// <summary>GC pause share of a .NET trace of the program (from the ranking).</summary>
    public RuntimeFigures? Runtime { get; init; }

    /// <summary>Median wall time of the trivial startup command (ms).</summary>
    public double? StartupMs { get; init; }

    /// <summary>Fitted exponent of time in input size, with the sizes and times it came from.</summary>
    public ScalingFit? Scaling { get; init; }
}

/// <summary>Cross-domain escalation rules: measured signals in, findings out. Never switches the domain itself.</summary>
public static class Escalation
{
    public static IReadOnlyList<EscalationFinding> Evaluate(string domain, EscalationSignals signals, EscalationSettings settings)
    {
        var findings = new List<EscalationFinding>();
        string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

        if (domain == "cpu" && signals.Runtime is { } runtime && runtime.GcPauseSharePct >= settings.GcPauseSharePct)
        {
            findings.Add(new("gc_share", F($"GC pauses take {runtime.GcPauseSharePct:0.#}% of the traced run ({runtime.GcPauseMs:0} of {runtime.DurationMs:0} ms; threshold {settings.GcPauseSharePct:0.#}%)"), "memory"));
        }

        if (domain == "cpu" && signals.OffCpu is { } offCpu)
        {
            if (offCpu is { MedianBusyWallMs: { } busy, MedianCpuMs: { } busyCpu } && busy > 0)
            {
                var ratio = busyCpu > 0 ? busy / busyCpu : double.PositiveInfinity;
                if (ratio >= settings.WallOverCpuRatio && busy - busyCpu >= settings.MinWaitMs)
                {
                    var what = offCpu.RunQueueCorrected ? "wall time less its wait for a CPU" : "wall time";
                    var runs = offCpu.RunQueueCorrected ? $"{offCpu.UsableRuns} baseline runs" : $"{offCpu.UsableRuns} uncontended baseline runs";
                    findings.Add(new("wall_over_cpu", F($"{what} {busy:0.#} ms is {(double.IsFinite(ratio) ? ratio.ToString("0.#", CultureInfo.InvariantCulture) : "∞")}x the CPU time {busyCpu:0.#} ms (median of {runs}; threshold {settings.WallOverCpuRatio:0.#}x): the program mostly waits"), "async"));
                }
            }
        }
        else if (domain == "cpu" && signals is { WallMs: { } wall, CpuMs: { } cpu } && wall > 0)
        {
            var ratio = cpu > 0 ? wall / cpu : double.PositiveInfinity;
            if (ratio >= settings.WallOverCpuRatio && wall - cpu >= settings.MinWaitMs)
            {
                findings.Add(new("wall_over_cpu", F($"wall time {wall:0.#} ms is {(double.IsFinite(ratio) ? ratio.ToString("0.#", CultureInfo.InvariantCulture) : "∞")}x the CPU time {cpu:0.#} ms (median of the baseline runs; threshold {settings.WallOverCpuRatio:0.#}x): the program mostly waits"), "async"));
            }
        }

        if (domain != "structure" && signals is { StartupMs: { } startup, WallMs: { } total } && total > 0)
        {
            var share = 100 * startup / total;
            if (share >= settings.StartupSharePct)
            {
                findings.Add(new("startup_share", F($"a trivial run takes {startup:0.#} ms, {share:0}% of the benchmark's {total:0.#} ms (threshold {settings.StartupSharePct:0}%): startup dominates"), "structure"));
            }
        }

        if (signals.Scaling is { } fit && fit.Exponent >= settings.SuperlinearExponent)
        {
            findings.Add(new("superlinear", F($"time grows as n^{fit.Exponent:0.##} over sizes {string.Join(", ", fit.Sizes)} ({string.Join(", ", fit.Milliseconds.Select(m => m.ToString("0.#", CultureInfo.InvariantCulture)))} ms; threshold n^{settings.SuperlinearExponent:0.##})"), "cpu (algorithm)"));
        }

        return findings;
    }

    /// <summary>
    /// Signals that could not be measured, in words for the user, so a silent rule is never taken for a negative one:
    /// "mostly waits" when every baseline run was contended and the run-queue wait is not measured here.
    /// </summary>
    public static IReadOnlyList<string> Unmeasured(string domain, EscalationSignals signals)
    {
        ArgumentNullException.ThrowIfNull(signals);
        return domain == "cpu" && signals.OffCpu is { Unmeasurable: { } why }
            ? [$"whether the program mostly waits could not be measured: {why}"]
            : [];
    }

    /// <summary>Findings already recorded in this session's rows are not repeated.</summary>
    public static IReadOnlyList<EscalationFinding> New(IReadOnlyList<EscalationFinding> findings, IReadOnlyList<ResultRow> sessionRows) =>
        findings.Where(f => !sessionRows.Any(r => r.Status == ExperimentStatus.Escalate && r.Target == f.Key)).ToList();
}

/// <summary>Least-squares fit of log(time) on log(size): time ∝ size^Exponent.</summary>
public sealed record ScalingFit(IReadOnlyList<int> Sizes, IReadOnlyList<double> Milliseconds, double Exponent)
{
    public static ScalingFit Fit(IReadOnlyList<int> sizes, IReadOnlyList<double> milliseconds)
    {
        if (sizes.Count != milliseconds.Count || sizes.Count < 2)
        {
            throw new ArgumentException("need at least two sizes with one time each", nameof(sizes));
        }

        var x = sizes.Select(s => Math.Log(s)).ToList();
        var y = milliseconds.Select(m => Math.Log(Math.Max(m, 1e-6))).ToList();
        var mx = x.Average();
        var my = y.Average();
        var sxy = x.Zip(y, (a, b) => (a - mx) * (b - my)).Sum();
        var sxx = x.Sum(a => (a - mx) * (a - mx));
        return new ScalingFit(sizes, milliseconds, sxx > 0 ? sxy / sxx : 0);
    }
}
