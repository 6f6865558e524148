using System.Diagnostics;
using System.Globalization;
using Perfloop.Bench.Simulation;
using Perfloop.Statistics;

// Simulates the experiment loop's decision statistics: A/A calibration → effective threshold → sequential
// test on interleaved pairs, for no-op changes and for true effects of twice the effective threshold.
var culture = CultureInfo.InvariantCulture;
if (args.Length > 0 && args[0] == "--heavy-load")
{
    // The wall-only design against the metric chosen by evidence on a simulated busy machine (HeavyLoad.cs).
    HeavyLoad.Run(args.Length > 1 ? int.Parse(args[1], culture) : 1000);
    return;
}

var trialsPerScenario = args.Length > 0 ? int.Parse(args[0], culture) : 1500;
var k = args.Length > 1 ? double.Parse(args[1], culture) : NoiseCalibration.DefaultK;
var design = new SequentialDesign();
if (args.Length > 2)
    design = design with { MaxPairs = int.Parse(args[2], culture) };
if (args.Length > 3)
    design = design with { FirstLookAlphaShare = double.Parse(args[3], culture) };
if (args.Length > 4)
    design = design with { LookGrowth = double.Parse(args[4], culture) };
const double DomainThresholdPct = 5.0;
const int CalibrationPairs = 10;
const int FixedTrials = 2000;

var sigmas = new[] { 0.01, 0.05, 0.20 };
var stopwatch = Stopwatch.StartNew();
Console.WriteLine(string.Create(culture, $"Design: looks at {string.Join(", ", design.Looks)} pairs; per-look confidence {string.Join(", ", Enumerable.Range(1, design.Looks.Count).Select(l => design.ConfidenceLevelAtLook(l).ToString("P2", culture)))}"));
Console.WriteLine(string.Create(culture, $"K = {k}, domain threshold {DomainThresholdPct}%, calibration {CalibrationPairs} A/A pairs, {trialsPerScenario} trials per scenario, drift 10% over the run, 2% of runs 3x outliers"));
Console.WriteLine();
Console.WriteLine("| σ per run | scenario | trials | Improved | Regressed | Equivalent | Inconclusive | sig. worse | mean pairs | mean eff. threshold |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");

var totalTrials = 0;
var summary = new List<string>();
var falseKeepWorst = 0.0;
var powerWorst = 1.0;
var wrongDirection = 0;
foreach (var sigma in sigmas)
{
    var model = new NoiseModel(sigma, DriftOverRun: 0.10, OutlierRate: 0.02);
    foreach (var scenario in new[] { Scenario.NoOp, Scenario.Improvement, Scenario.Regression })
    {
        var outcome = RunSequential(model, scenario, trialsPerScenario, design, k, Seed(sigma, scenario));
        totalTrials += trialsPerScenario;
        Console.WriteLine(string.Create(culture, $"| {sigma:P0} | {scenario} | {outcome.Trials} | {outcome.Rate(Verdict.Improved):P2} | {outcome.Rate(Verdict.Regressed):P2} | {outcome.Rate(Verdict.Equivalent):P2} | {outcome.Rate(Verdict.Inconclusive):P2} | {outcome.SignificantlyWorseRate:P2} | {outcome.MeanPairs:F1} | {outcome.MeanThresholdPct:F1}% |"));
        var samePower = FixedSamplePairs(model, scenario, k, outcome.Rate(Expected(scenario)), Seed(sigma, scenario) + 7);
        var power95 = FixedSamplePairs(model, scenario, k, 0.95, Seed(sigma, scenario) + 7);
        summary.Add(string.Create(culture, $"| {sigma:P0} | {scenario} | {Expected(scenario)} {outcome.Rate(Expected(scenario)):P2} | {outcome.MeanPairs:F1} | {samePower.Pairs} ({samePower.Power:P1}) | {outcome.MeanPairs / samePower.Pairs:F2} | {power95.Pairs} ({power95.Power:P1}) | {outcome.MeanPairs / power95.Pairs:F2} |"));
        falseKeepWorst = scenario == Scenario.NoOp ? Math.Max(falseKeepWorst, outcome.Rate(Verdict.Improved)) : falseKeepWorst;
        powerWorst = scenario == Scenario.NoOp ? powerWorst : Math.Min(powerWorst, outcome.Rate(Expected(scenario)));
        wrongDirection += outcome.WrongDirection(scenario);
    }
}

Console.WriteLine();
Console.WriteLine("Sequential vs fixed-sample: one look at 95% confidence, the smallest even n whose rate of the right verdict reaches the sequential one (same power), or 95%; 2,000 trials per n:");
Console.WriteLine();
Console.WriteLine("| σ per run | scenario | sequential: right verdict | sequential mean pairs | fixed n, same rate (its rate) | ratio | fixed n, 95% (its rate) | ratio |");
Console.WriteLine("|---|---|---|---|---|---|---|---|");
foreach (var line in summary)
    Console.WriteLine(line);
Console.WriteLine();
Console.WriteLine(string.Create(culture, $"Worst false KEEP (Improved on a no-op): {falseKeepWorst:P2}; worst power at 2x threshold: {powerWorst:P2}; wrong-direction verdicts: {wrongDirection} of {totalTrials}"));
Console.WriteLine(string.Create(culture, $"{totalTrials} sequential trials in {stopwatch.Elapsed.TotalSeconds:F1} s"));
return;

static int Seed(double sigma, Scenario scenario) => (int)(sigma * 1000) * 10 + (int)scenario;

static double TrueRatio(Scenario scenario, double thresholdPct) => scenario switch
{
    Scenario.Improvement => Math.Max(1 - (2 * thresholdPct / 100), 0.01),
    Scenario.Regression => 1 + (2 * thresholdPct / 100),
    _ => 1.0,
};

static NoiseEstimate Calibrate(NoiseModel model, double k, Random random)
{
    var (a1, a2) = RunSimulator.Pairs(model, 1.0, CalibrationPairs, random);
    return NoiseCalibration.Calibrate(a1, a2, DomainThresholdPct, k);
}

static Outcome RunSequential(NoiseModel model, Scenario scenario, int trials, SequentialDesign design, double k, int seed)
{
    var results = new (Verdict Verdict, int Pairs, bool Worse, double Threshold)[trials];
    Parallel.For(0, trials, trial =>
    {
        var random = new Random(unchecked((seed * 1_000_003) + trial));
        var noise = Calibrate(model, k, random);
        var (baseline, candidate) = RunSimulator.Pairs(model, TrueRatio(scenario, noise.EffectiveThresholdPct), design.MaxPairs, random);
        for (var pairs = design.BlockPairs; ; pairs += design.BlockPairs)
        {
            if (pairs < design.MinPairs)
                continue;
            var step = SequentialTest.Evaluate(design, baseline[..pairs], candidate[..pairs], noise.EffectiveThresholdPct, MetricDirection.LowerIsBetter);
            if (step.Stop)
            {
                results[trial] = (step.Result.Verdict, pairs, step.Result.SignificantlyWorse, noise.EffectiveThresholdPct);
                break;
            }
        }
    });
    return new Outcome(results);
}

static (int Pairs, double Power) FixedSamplePairs(NoiseModel model, Scenario scenario, double k, double targetPower, int seed)
{
    for (var pairs = 6; pairs <= 400; pairs += 2)
    {
        var correct = 0;
        var n = pairs;
        Parallel.For(0, FixedTrials, trial =>
        {
            var random = new Random(unchecked((seed * 1_000_003) + (n * 10_007) + trial));
            var noise = Calibrate(model, k, random);
            var (baseline, candidate) = RunSimulator.Pairs(model, TrueRatio(scenario, noise.EffectiveThresholdPct), n, random);
            var estimate = RatioStatistics.Estimate(baseline, candidate, 0.95);
            var verdict = VerdictRule.Classify(estimate, noise.EffectiveThresholdPct, MetricDirection.LowerIsBetter).Verdict;
            if (verdict == Expected(scenario))
                Interlocked.Increment(ref correct);
        });
        var power = (double)correct / FixedTrials;
        if (power >= targetPower)
            return (pairs, power);
    }

    return (400, double.NaN);
}

static Verdict Expected(Scenario scenario) => scenario switch
{
    Scenario.Improvement => Verdict.Improved,
    Scenario.Regression => Verdict.Regressed,
    _ => Verdict.Equivalent,
};

internal enum Scenario
{
    NoOp,
    Improvement,
    Regression,
}

internal sealed class Outcome((Verdict Verdict, int Pairs, bool Worse, double Threshold)[] results)
{
    public int Trials => results.Length;

    public double MeanPairs => results.Average(r => r.Pairs);

    public double MeanThresholdPct => results.Average(r => r.Threshold);

    public double SignificantlyWorseRate => results.Count(r => r.Worse) / (double)results.Length;

    public double Rate(Verdict verdict) => results.Count(r => r.Verdict == verdict) / (double)results.Length;

    /// <summary>Improved on a no-op or a regression, Regressed on a no-op or an improvement.</summary>
    public int WrongDirection(Scenario scenario) => scenario switch
    {
        Scenario.Improvement => results.Count(r => r.Verdict == Verdict.Regressed),
        Scenario.Regression => results.Count(r => r.Verdict == Verdict.Improved),
        _ => results.Count(r => r.Verdict is Verdict.Improved or Verdict.Regressed),
    };
}
