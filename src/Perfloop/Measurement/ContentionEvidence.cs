using System.Globalization;

namespace Perfloop.Measurement;

/// <summary>
/// What a set of runs says about how the program spends its wall time, with the machine's contention taken out: from
/// the uncontended runs when there are enough of them, else from every run with its <c>busy wall</c> = wall time −
/// run-queue wait (time runnable but not running, i.e. waiting for a CPU). On a busy machine a CPU-bound program's
/// off-CPU time is run-queue wait; only the rest is real waiting (I/O, sleeps, locks).
/// </summary>
/// <param name="Runs">Runs considered (those with a CPU time).</param>
/// <param name="UsableRuns">Runs the ratio was taken over.</param>
/// <param name="ContendedRuns">Runs during which the machine was contended (see <see cref="ContentionEvidence.IsContended"/>).</param>
/// <param name="CpuOverBusyWall">Median over the usable runs of CPU time / busy wall time: ≈ 1 single-threaded and CPU-bound,
/// above 1 several threads at once, below 1 waiting. Null with fewer than <see cref="ContentionEvidence.MinUsableRuns"/> usable runs.</param>
/// <param name="MedianCpuMs">Median CPU time of the usable runs.</param>
/// <param name="MedianBusyWallMs">Median busy wall time of the usable runs.</param>
/// <param name="RunQueueCorrected">Too few runs were uncontended, so the usable runs are contended ones with their run-queue
/// wait taken out. That wait is the main thread's only: a child process's or another thread's wait for a CPU is not in it,
/// which makes a multi-process or multi-threaded program look like it waits (the safe side: wall time keeps judging).</param>
public sealed record OffCpuSummary(
    int Runs,
    int UsableRuns,
    int ContendedRuns,
    double? CpuOverBusyWall,
    double? MedianCpuMs,
    double? MedianBusyWallMs,
    bool RunQueueCorrected)
{
    /// <summary>Why <see cref="CpuOverBusyWall"/> is unknown, in words; null when it is known.</summary>
    public string? Unmeasurable => CpuOverBusyWall is not null
        ? null
        : Runs == 0
            ? "no run reported its CPU time"
            : string.Create(CultureInfo.InvariantCulture,
                $"only {Runs - ContendedRuns} of {Runs} runs were uncontended (CPU pressure below {ContentionEvidence.ContendedPressurePct:0}%) and run-queue waits are not measured here");

    /// <summary>"1.00× wall time less run-queue wait, median of 20 A/A runs under CPU contention" — the basis of the ratio, in words.</summary>
    public string Describe(string runs) => RunQueueCorrected
        ? string.Create(CultureInfo.InvariantCulture, $"{CpuOverBusyWall:0.00}× wall time less run-queue wait, median of {UsableRuns} {runs}, {ContendedRuns} of them under CPU contention")
        : string.Create(CultureInfo.InvariantCulture, $"{CpuOverBusyWall:0.00}× wall time, median of {UsableRuns} uncontended {runs}");
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
        var contended = withCpu.Count(s => IsContended(s.Load, cores) is true);
        // Uncontended runs need no correction (and a partial one could mislead); contended runs only with their wait measured.
        var uncontended = withCpu.Where(s => IsContended(s.Load, cores) is not true).ToList();
        var corrected = uncontended.Count < MinUsableRuns;
        var basis = (corrected ? withCpu.Where(s => s.Load.RunQueueWaitMs is not null) : uncontended)
            .Select(s => (Cpu: s.CpuMs!.Value, Busy: s.WallMs - (s.Load.RunQueueWaitMs ?? 0)))
            .Where(r => r.Busy > 0)
            .ToList();
        if (basis.Count < MinUsableRuns)
        {
            return new OffCpuSummary(withCpu.Count, basis.Count, contended, null, null, null, corrected);
        }

        return new OffCpuSummary(
            withCpu.Count,
            basis.Count,
            contended,
            Median(basis.Select(r => r.Cpu / r.Busy)),
            Median(basis.Select(r => r.Cpu)),
            Median(basis.Select(r => r.Busy)),
            corrected);
    }

    static double Median(IEnumerable<double> values) => Statistics.Median.Of(values) ?? double.NaN;
}
