using Perfloop.Measurement;

namespace Perfloop.Tests.Measurement;

/// <summary>How the simulated program spends its time.</summary>
public enum ProgramKind
{
    /// <summary>One thread computing: CPU time = busy time.</summary>
    CpuBound,

    /// <summary>Two threads computing at once: CPU time = 2 × busy time.</summary>
    Parallel,

    /// <summary>One thread computing, then sleeping twice as long (I/O, a timer).</summary>
    Waiting,
}

/// <summary>The machine during the runs.</summary>
public enum MachineState
{
    Quiet,

    /// <summary>Four busy spinners on two cores: every run waits for a CPU for 0.5–6× its work.</summary>
    Heavy,

    /// <summary>Heavy and quiet spells, changing every few runs.</summary>
    Bursty,
}

/// <summary>
/// Seeded interleaved runs with the load evidence Perfloop records (CPU pressure, run-queue wait, context switches),
/// modelled on what this 2-core machine shows (docs/metrics.md): CPU time moves ~1% run to run and a little under
/// contention, wall time moves with the run-queue wait.
/// </summary>
static class SimulatedRuns
{
    public const int Cores = 2;

    /// <param name="kind">How the program spends its time.</param>
    /// <param name="machine">The machine's load.</param>
    /// <param name="pairs">Pairs of runs, in ABBA order.</param>
    /// <param name="workRatio">The candidate's work over the baseline's (1: an A/A run).</param>
    /// <param name="runQueueMeasured">Whether /proc schedstat gave the run-queue wait.</param>
    /// <param name="pressureMeasured">Whether PSI gave the CPU pressure.</param>
    /// <param name="instructions">Whether an instruction count (deterministic: work × 10⁷) is recorded.</param>
    /// <param name="seed">Seed of the noise.</param>
    public static List<RunSample> Generate(
        ProgramKind kind, MachineState machine, int pairs, double workRatio, int seed,
        bool runQueueMeasured = true, bool pressureMeasured = true, bool instructions = false)
    {
        var random = new Random(seed);
        var samples = new List<RunSample>();
        var order = 0;
        for (var pair = 0; pair < pairs; pair++)
        {
            var sides = pair % 2 == 0 ? new[] { Side.Baseline, Side.Candidate } : [Side.Candidate, Side.Baseline];
            foreach (var side in sides)
            {
                var contended = machine switch
                {
                    MachineState.Quiet => false,
                    MachineState.Heavy => true,
                    _ => (order / 5) % 2 == 0,
                };
                var work = 30.0 * (side == Side.Candidate ? workRatio : 1);
                // Contention costs a little CPU too (cache refills after each preemption).
                var cpu = work * Math.Exp(0.01 * Gaussian(random)) * (contended ? 1.01 : 1);
                var busy = kind == ProgramKind.Parallel ? cpu / 2 : cpu;
                var sleep = kind == ProgramKind.Waiting ? 2 * work : 0;
                var runQueue = contended ? busy * (0.5 + (5.5 * random.NextDouble())) : busy * 0.002 * random.NextDouble();
                var wall = busy + sleep + runQueue;
                var load = new RunLoad(
                    VoluntarySwitches: kind == ProgramKind.Waiting ? 3 : 1,
                    InvoluntarySwitches: contended ? 10 + random.Next(30) : random.Next(3),
                    CpuPressurePct: pressureMeasured ? (contended ? 85 + (15 * random.NextDouble()) : 3 * random.NextDouble()) : null,
                    LoadAverage: contended ? 5.5 : 0.6,
                    RunQueueWaitMs: runQueueMeasured ? runQueue : null);
                var metrics = new Dictionary<string, double>();
                if (instructions)
                {
                    metrics[MetricNames.Instructions] = Math.Round(work * 1e7);
                }

                samples.Add(new RunSample(pair, side, order++, wall, cpu, 5, 0, metrics) { Load = load });
            }
        }

        return samples;
    }

    /// <summary>The values of one side in pair order.</summary>
    public static IReadOnlyList<double> Values(IReadOnlyList<RunSample> samples, Side side, string metric) =>
        [.. samples.Where(s => s.Side == side).OrderBy(s => s.Pair).Select(s => s.Value(metric)!.Value)];

    static double Gaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
