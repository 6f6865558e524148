using System.Globalization;
using Perfloop.Measurement;
using Perfloop.Statistics;

namespace Perfloop.Bench.Simulation;

/// <summary>
/// The loop's two designs on a simulated busy machine, many trials each: today's wall-time-only design and the metric
/// chosen by evidence (MetricChooser over the A/A runs, then its sequential test, then the wall-time guard on every
/// improvement). The machine is modelled on the real heavy-load bench (bench/RESULTS.md): a single-threaded, CPU-bound
/// 30 ms program; CPU time ±0.5% run to run plus 0–3% when contended (cache refills); every contended run waits
/// 1–4× its work for a CPU (A/A wall-time noise 25–57% there, 30–40% here); PSI 85–100% when contended, 0–3% otherwise.
/// </summary>
internal static class HeavyLoad
{
    const double DomainThresholdPct = 5;
    static readonly double[] Effects = [1.00, 0.95, 1.05, 0.85, 1.15, 0.65, 1.35];
    static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static void Run(int trials)
    {
        var design = new SequentialDesign();
        Console.WriteLine(string.Create(C, $"Simulated heavy load (every run contended) and bursty load (contended in spells of 5 runs); {trials} trials per effect; calibration 10 A/A pairs, looks at {string.Join(", ", design.Looks)} pairs."));
        Console.WriteLine();
        Console.WriteLine("| load | design | work | improved | regressed | equivalent | inconclusive | wrong direction | false KEEP | guard vetoes | mean pairs | mean threshold | chosen metric |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var bursty in new[] { false, true })
        {
            foreach (var evidence in new[] { false, true })
            {
                foreach (var effect in Effects)
                {
                    var outcomes = new (Verdict Verdict, int Pairs, double Threshold, bool Vetoed, string Metric)[trials];
                    Parallel.For(0, trials, trial =>
                    {
                        var random = new Random(unchecked((trial * 7919) + (int)(effect * 1000) + (bursty ? 1 : 0)));
                        outcomes[trial] = Trial(random, effect, evidence, bursty, design);
                    });
                    double Rate(Verdict v) => outcomes.Count(o => o.Verdict == v) / (double)trials;
                    var wrong = outcomes.Count(o => (o.Verdict == Verdict.Improved && effect >= 1) || (o.Verdict == Verdict.Regressed && effect <= 1));
                    var falseKeep = outcomes.Count(o => o.Verdict == Verdict.Improved && effect >= 1 && !o.Vetoed);
                    var metrics = string.Join(", ", outcomes.GroupBy(o => o.Metric).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count() * 100.0 / trials:0}%"));
                    Console.WriteLine(string.Create(C,
                        $"| {(bursty ? "bursty" : "heavy")} | {(evidence ? "evidence" : "wall only")} | ×{effect:0.00} | {Rate(Verdict.Improved):P1} | {Rate(Verdict.Regressed):P1} | {Rate(Verdict.Equivalent):P1} | {Rate(Verdict.Inconclusive):P1} | {wrong} | {falseKeep} | {outcomes.Count(o => o.Vetoed)} | {outcomes.Average(o => o.Pairs):0.0} | {outcomes.Average(o => o.Threshold):0.0}% | {metrics} |"));
                }
            }
        }
    }

    static (Verdict Verdict, int Pairs, double Threshold, bool Vetoed, string Metric) Trial(Random random, double effect, bool evidence, bool bursty, SequentialDesign design)
    {
        var calibration = Runs(random, 10, 1, bursty);
        var wall = new SelectedMetric(MetricNames.WallMs, MetricDirection.LowerIsBetter, "ms", MetricSources.None);
        var (metric, threshold, chosenDesign, guard) = evidence
            ? Choose(calibration, wall, design)
            : (MetricNames.WallMs, NoiseCalibration.Calibrate(Values(calibration, Side.Baseline, MetricNames.WallMs), Values(calibration, Side.Candidate, MetricNames.WallMs), DomainThresholdPct).EffectiveThresholdPct, design, false);
        var ab = Runs(random, design.MaxPairs, effect, bursty);
        for (var pairs = chosenDesign.BlockPairs; ; pairs += chosenDesign.BlockPairs)
        {
            if (pairs < chosenDesign.FirstEvaluationPairs)
                continue;
            var sofar = ab.Where(s => s.Pair < pairs).ToList();
            var step = SequentialTest.Evaluate(chosenDesign, Values(sofar, Side.Baseline, metric), Values(sofar, Side.Candidate, metric), threshold, MetricDirection.LowerIsBetter);
            if (!step.Stop)
                continue;
            var vetoed = guard && step.Result.Verdict == Verdict.Improved && WallTimeGuard.Check(sofar, step.Result, chosenDesign).Contradicts;
            return (step.Result.Verdict, pairs, threshold, vetoed, metric);
        }
    }

    static (string Metric, double Threshold, SequentialDesign Design, bool Guard) Choose(List<RunSample> calibration, SelectedMetric wall, SequentialDesign design)
    {
        var choice = MetricChooser.Choose(new MetricChoiceInput(calibration, "cpu", wall, Explicit: false, DomainThresholdPct, Cores: 2));
        return (choice.Metric, choice.EffectiveThresholdPct, choice.Design(design), choice.WallGuard);
    }

    static List<RunSample> Runs(Random random, int pairs, double workRatio, bool bursty)
    {
        var samples = new List<RunSample>(2 * pairs);
        var order = 0;
        for (var pair = 0; pair < pairs; pair++)
        {
            var sides = pair % 2 == 0 ? new[] { Side.Baseline, Side.Candidate } : [Side.Candidate, Side.Baseline];
            foreach (var side in sides)
            {
                var contended = !bursty || (order / 5) % 2 == 0;
                var work = 30.0 * (side == Side.Candidate ? workRatio : 1);
                var cpu = work * Math.Exp(0.005 * Gaussian(random)) * (contended ? 1 + (0.03 * random.NextDouble()) : 1);
                var runQueue = contended ? cpu * (1 + (3 * random.NextDouble())) : cpu * 0.01 * random.NextDouble();
                var load = new RunLoad(1, contended ? 10 + random.Next(30) : random.Next(3), contended ? 85 + (15 * random.NextDouble()) : 3 * random.NextDouble(), contended ? 6 : 0.5, runQueue);
                samples.Add(new RunSample(pair, side, order++, cpu + runQueue, cpu, 2, 0, new Dictionary<string, double>()) { Load = load });
            }
        }

        return samples;
    }

    static double[] Values(List<RunSample> samples, Side side, string metric) =>
        [.. samples.Where(s => s.Side == side).OrderBy(s => s.Pair).Select(s => s.Value(metric)!.Value)];

    static double Gaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
