using System.Globalization;

namespace Perfloop.Measurement;

/// <summary>
/// What a set of runs says about how the program spends its wall time, with the machine's contention taken out:
/// <c>busy wall</c> = wall time − run-queue wait (time runnable but not running, i.e. waiting for a CPU). On a busy
/// machine a CPU-bound program's off-CPU time is run-queue wait; only the rest is real waiting (I/O, sleeps, locks).
/// </summary>
/// <param name="Runs">Runs considered (those with a CPU time).</param>
/// <param name="UsableRuns">Runs whose busy wall time is known: the run-queue wait was measured, or the run was uncontended.</param>
/// <param name="ContendedRuns">Runs during which the machine was contended (see <see cref="ContentionEvidence.IsContended"/>).</param>
/// <param name="CpuOverBusyWall">Median over the usable runs of CPU time / busy wall time: ≈ 1 single-threaded and CPU-bound,
/// above 1 several threads at once, below 1 waiting. Null with fewer than <see cref="ContentionEvidence.MinUsableRuns"/> usable runs.</param>
/// <param name="MedianCpuMs">Median CPU time of the usable runs.</param>
/// <param name="MedianBusyWallMs">Median busy wall time of the usable runs.</param>
/// <param name="RunQueueMeasured">Whether the usable runs' run-queue waits were measured (else only uncontended runs count).</param>
public sealed record OffCpuSummary(
    int Runs,
    int UsableRuns,
    int ContendedRuns,
    double? CpuOverBusyWall,
    double? MedianCpuMs,
    double? MedianBusyWallMs,
    bool RunQueueMeasured)
{
    /// <summary>Why <see cref="CpuOverBusyWall"/> is unknown, in words; null when it is known.</summary>
    public string? Unmeasurable => CpuOverBusyWall is not null
        ? null
        : Runs == 0
            ? "no run reported its CPU time"
            : string.Create(CultureInfo.InvariantCulture,
                $"only {UsableRuns} of {Runs} runs were uncontended (CPU pressure below {ContentionEvidence.ContendedPressurePct:0}%) and run-queue waits are not measured here");
}

/// <summary>Pure rules over the per-run load evidence (<see cref="RunLoad"/>), shared by metric choice and escalation.</summary>
public static class ContentionEvidence
{
    /// <summary>A run during which some task waited for a CPU this share of the time (PSI "some") or more was contended.</summary>
    public const double ContendedPressurePct = 20;

    /// <summary>Without PSI: a 1-minute load average above the cores minus one (no core left for the benchmark) means contended.</summary>
    public const double SpareCores = 1;

    /// <summary>Fewer usable runs than this leave the wall/CPU relation unmeasured.</summary>
    public const int MinUsableRuns = 3;

    /// <summary>
    /// True when the run was measured contended, false when measured uncontended, null when nothing says (no PSI, no
    /// load average: another platform or an older samples.tsv).
    /// </summary>
    public static bool? IsContended(RunLoad load, int cores)
    {
        ArgumentNullException.ThrowIfNull(load);
        if (load.CpuPressurePct is { } pressure)
        {
            return pressure >= ContendedPressurePct;
        }

        return load.LoadAverage is { } average ? average > Math.Max(cores - SpareCores, 0.5) : null;
    }

    /// <summary>Wall time minus the run-queue wait; the plain wall time of an uncontended run; null when contention cannot be taken out.</summary>
    public static double? BusyWallMs(RunSample sample, int cores)
    {
        ArgumentNullException.ThrowIfNull(sample);
        if (sample.Load.RunQueueWaitMs is { } wait)
        {
            return Math.Max(sample.WallMs - wait, 0);
        }

        // No evidence at all (old samples, other platforms): taken as measured, as before the evidence existed.
        return IsContended(sample.Load, cores) is true ? null : sample.WallMs;
    }

    public static OffCpuSummary Summarize(IReadOnlyList<RunSample> samples, int cores)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var withCpu = samples.Where(s => s.CpuMs is > 0 && s.WallMs > 0).ToList();
        var usable = withCpu
            .Select(s => (Cpu: s.CpuMs!.Value, Busy: BusyWallMs(s, cores)))
            .Where(r => r.Busy is > 0)
            .Select(r => (r.Cpu, Busy: r.Busy!.Value))
            .ToList();
        var contended = withCpu.Count(s => IsContended(s.Load, cores) is true);
        var measured = usable.Count > 0 && withCpu.Where(s => BusyWallMs(s, cores) is > 0).All(s => s.Load.RunQueueWaitMs is not null);
        if (usable.Count < MinUsableRuns)
        {
            return new OffCpuSummary(withCpu.Count, usable.Count, contended, null, null, null, measured);
        }

        return new OffCpuSummary(
            withCpu.Count,
            usable.Count,
            contended,
            Median(usable.Select(r => r.Cpu / r.Busy)),
            Median(usable.Select(r => r.Cpu)),
            Median(usable.Select(r => r.Busy)),
            measured);
    }

    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
