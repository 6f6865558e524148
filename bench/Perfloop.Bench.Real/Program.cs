// Real processes vs hyperfine: a C program doing a calibrated amount of CPU work (no-op, ±5%, ±15%, ±35%),
// compared through Perfloop's real InterleavedBenchmark + SequentialTest (threshold from an A/A calibration, as
// the loop does) and through hyperfine's default (≥10 runs and ≥3 s per command) in the same repetition.
// Usage: dotnet run -c Release --project bench/Perfloop.Bench.Real -- [repetitions=20] [iterations=20000000] [threshold=5|calibrated] [rawTsv] [--bursty-load]
// The threshold defaults to the cpu domain's 5%: the strict test. "calibrated" uses max(5%, k × A/A noise) as the loop
// does, which on a machine under heavy load can rise so far that every verdict becomes a trivial "equivalent".
// --bursty-load adds the worst kind of noise for a comparison: two threads that each spin and sleep for random
// 0.1–1.5 s spells, so both cores are taken at times and free at others, from the A/A calibration to the end.
// --designs runs the heavy-load comparison of judging designs instead (DesignComparison.cs).
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Perfloop.Measurement;
using Perfloop.Processes;
using Perfloop.Statistics;

if (args.Contains("--designs"))
{
    // The heavy-load comparison of judging designs (wall time only, metric by evidence, instructions, hyperfine).
    await DesignComparison.RunAsync(args);
    return;
}

var invariant = CultureInfo.InvariantCulture;
var burstyLoad = args.Contains("--bursty-load");
var summarizeOnly = args.Contains("--summarize");
var startupOption = Array.IndexOf(args, "--startup-ms");
var givenStartupMs = startupOption >= 0 ? double.Parse(args[startupOption + 1], invariant) : double.NaN;
args = [.. args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (startupOption < 0 || i != startupOption + 1))];
if (summarizeOnly)
{
    // The tables again from a raw TSV a run left (its first line, the A/A calibration, is only in the run's own .md).
    // A TSV from before startup_ms was recorded takes the start-up cost from --startup-ms.
    var saved = ParseRaw(await File.ReadAllTextAsync(args[0]), givenStartupMs);
    Console.WriteLine(Summary(saved, null, saved[0].ThresholdPct, 0, saved.Max(r => r.Rep) + 1, burstyLoad));
    return;
}

var repetitions = args.Length > 0 ? int.Parse(args[0], invariant) : 20;
// A fixed amount of work (≈ 31 ms on an idle core here): timing a probe on a loaded machine would mis-size it.
var baseIterations = args.Length > 1 ? long.Parse(args[1], invariant) : 20_000_000;
var calibrated = args.Length > 2 && args[2] == "calibrated";
var fixedThreshold = args.Length > 2 && !calibrated ? double.Parse(args[2], invariant) : 5;
var rawPath = args.Length > 3 ? args[3] : Path.Combine("bench", "Perfloop.Bench.Real", "last-run.tsv");
double[] effects = [1.00, 0.95, 1.05, 0.85, 1.15, 0.65, 1.35];

var runner = new ProcessRunner();
var root = Directory.CreateTempSubdirectory("perfloop-bench-real-").FullName;
using var stopLoad = new CancellationTokenSource();
var loadThreads = burstyLoad ? Enumerable.Range(0, 2).Select(i => StartBurstyLoad(i, stopLoad.Token)).ToList() : [];
try
{
    var source = Path.Combine(AppContext.BaseDirectory, "burn.c");
    var binary = Path.Combine(root, "burn");
    var compile = await runner.RunAsync(new CommandSpec("gcc", ["-O2", "-o", binary, source], root));
    if (!compile.Succeeded)
        throw new InvalidOperationException("gcc failed: " + compile.StderrText);

    var baseline = Workload(root, "base", baseIterations);
    var twin = Workload(root, "twin", baseIterations); // same work, another directory: the no-op candidate
    var variants = effects.ToDictionary(e => e, e => e == 1.0 ? twin : Workload(root, $"x{e.ToString("0.00", invariant)}", (long)(baseIterations * e)));

    // What a run costs with no work at all (exec, libc start-up, exit), timed exactly as Perfloop times the bench: the
    // part of the wall time that does not scale with the work, so a ×r work change is a 1 + (r − 1)·(1 − start-up/T)
    // wall-time change. That expected change is the reference both tools' estimates are held against.
    var zero = Workload(root, "zero", 0);
    var startupRuns = new List<double>();
    for (var i = 0; i < 31; i++)
    {
        startupRuns.Add((await runner.RunAsync(TimedCommand.For("./burn", zero) with { ExactPeakRss = true })).WallTime.TotalMilliseconds);
    }

    var startupMs = startupRuns.Order().ElementAt(startupRuns.Count / 2);
    Console.Error.WriteLine(string.Create(invariant, $"start-up of a run with no work: {startupMs:0.000} ms (median of 31)"));

    // The loop's A/A calibration: 10 pairs of the unchanged build against itself.
    var aa = await new InterleavedBenchmark(runner, "./burn", MetricNames.WallMs, MetricDirection.LowerIsBetter)
        .RunAsync(baseline, twin, new MeasurementPlan(1, new SequentialDesign(10, 10), TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(1), 1), 5, null, CancellationToken.None);
    var noise = NoiseCalibration.Calibrate(aa.Values(Side.Baseline, MetricNames.WallMs), aa.Values(Side.Candidate, MetricNames.WallMs), 5);
    var threshold = calibrated ? noise.EffectiveThresholdPct : fixedThreshold;
    Console.Error.WriteLine($"A/A noise {noise.NoisePct:0.00}% (calibrated threshold would be {noise.EffectiveThresholdPct:0.00}%); threshold used {threshold:0.00}%");

    var rows = new List<Row>();
    for (var rep = 0; rep < repetitions; rep++)
    {
        // A fresh random order of the comparisons each repetition, so slow phases of the machine do not pile onto one effect.
        foreach (var effect in effects.OrderBy(_ => Random.Shared.Next()))
        {
            var variant = variants[effect];
            var plan = new MeasurementPlan(1, new SequentialDesign(6, 60), TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(1), 1000 + (rep * 10) + Array.IndexOf(effects, effect));
            var comparison = await new InterleavedBenchmark(runner, "./burn", MetricNames.WallMs, MetricDirection.LowerIsBetter)
                .RunAsync(baseline, variant, plan, threshold, null, CancellationToken.None);
            if (comparison.Failure is { } failure)
                throw new InvalidOperationException($"run failed: {failure.Message}");

            var json = Path.Combine(root, "hyperfine.json");
            var clock = Stopwatch.StartNew();
            var hyperfine = await runner.RunAsync(new CommandSpec("hyperfine", ["--style", "none", "--export-json", json, Path.Combine(baseline, "burn"), Path.Combine(variant, "burn")], root)
            {
                Timeout = TimeSpan.FromMinutes(2),
            });
            var hyperfineSeconds = clock.Elapsed.TotalSeconds;
            if (!hyperfine.Succeeded)
                throw new InvalidOperationException("hyperfine failed: " + hyperfine.StderrText);
            using var document = JsonDocument.Parse(await File.ReadAllTextAsync(json));
            var results = document.RootElement.GetProperty("results");
            var (meanA, sdA, nA) = Stats(results[0]);
            var (meanB, sdB, nB) = Stats(results[1]);

            var e = comparison.Result!.Estimate;
            var row = new Row(rep, effect, threshold, comparison.Result.Verdict, e.Ratio, e.Low, e.High, comparison.Pairs, comparison.Elapsed.TotalSeconds,
                meanA, sdA, nA, meanB, sdB, nB, hyperfineSeconds, LoadAverage(), startupMs);
            rows.Add(row);
            Console.Error.WriteLine(string.Create(invariant,
                $"rep {rep + 1}/{repetitions} work ×{effect:0.00}: {row.Verdict} {100 * (row.Ratio - 1):+0.0;-0.0}% [{100 * (row.Low - 1):+0.0;-0.0}, {100 * (row.High - 1):+0.0;-0.0}] {row.Pairs} pairs {row.PerfloopSeconds:0.0}s | hyperfine {100 * (row.HyperfineRatio - 1):+0.0;-0.0}% ({nA}+{nB} runs) {hyperfineSeconds:0.0}s"));
        }

        // Written after every repetition, so a run cut short (the machine is shared) still leaves its figures.
        await File.WriteAllTextAsync(rawPath, Raw(rows));
        await File.WriteAllTextAsync(Path.ChangeExtension(rawPath, ".md"), Summary(rows, noise, threshold, baseIterations, rep + 1, burstyLoad));
    }

    Console.WriteLine(Summary(rows, noise, threshold, baseIterations, repetitions, burstyLoad));
}
finally
{
    stopLoad.Cancel();
    loadThreads.ForEach(t => t.Join());
    Directory.Delete(root, recursive: true);
}

// Spins for a random 0.1–1.5 s, sleeps for a random 0.1–1.5 s, until stopped; seeded so runs are comparable.
static Thread StartBurstyLoad(int seed, CancellationToken stop)
{
    var thread = new Thread(() =>
    {
        var random = new Random(seed);
        var sink = 0UL;
        while (!stop.IsCancellationRequested)
        {
            var spinUntil = Stopwatch.GetTimestamp() + (random.Next(100, 1500) * Stopwatch.Frequency / 1000);
            while (Stopwatch.GetTimestamp() < spinUntil)
            {
                sink = (sink * 6364136223846793005UL) + 1442695040888963407UL;
            }

            stop.WaitHandle.WaitOne(random.Next(100, 1500));
        }

        GC.KeepAlive(sink);
    })
    {
        IsBackground = true,
        Name = $"bursty load {seed}",
    };
    thread.Start();
    return thread;
}

static string Workload(string root, string name, long iterations)
{
    var directory = Path.Combine(root, name);
    Directory.CreateDirectory(directory);
    File.Copy(Path.Combine(root, "burn"), Path.Combine(directory, "burn"), overwrite: true);
    File.WriteAllText(Path.Combine(directory, "n"), iterations.ToString(CultureInfo.InvariantCulture));
    return directory;
}

// The machine is shared: the 1-minute load average next to each comparison says how noisy it was.
static double LoadAverage() =>
    double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);

static (double Mean, double StdDev, int Runs) Stats(JsonElement result) =>
    (result.GetProperty("mean").GetDouble(), result.GetProperty("stddev").GetDouble(), result.GetProperty("times").GetArrayLength());

static string Raw(List<Row> rows)
{
    var text = new StringBuilder("rep\twork_ratio\tthreshold_pct\tverdict\tratio\tci_low\tci_high\tpairs\tperfloop_s\thf_mean_a_s\thf_sd_a_s\thf_runs_a\thf_mean_b_s\thf_sd_b_s\thf_runs_b\thyperfine_s\tload1\tstartup_ms\n");
    foreach (var r in rows)
    {
        text.Append(CultureInfo.InvariantCulture,
            $"{r.Rep}\t{r.Effect:0.00}\t{r.ThresholdPct:0.###}\t{r.Verdict}\t{r.Ratio:0.#####}\t{r.Low:0.#####}\t{r.High:0.#####}\t{r.Pairs}\t{r.PerfloopSeconds:0.###}\t{r.MeanA:0.######}\t{r.SdA:0.######}\t{r.RunsA}\t{r.MeanB:0.######}\t{r.SdB:0.######}\t{r.RunsB}\t{r.HyperfineSeconds:0.###}\t{r.Load1:0.##}\t{r.StartupMs:0.####}\n");
    }

    return text.ToString();
}

static string Summary(List<Row> rows, NoiseEstimate? noise, double threshold, long baseIterations, int repetitions, bool burstyLoad)
{
    var c = CultureInfo.InvariantCulture;
    var text = new StringBuilder();
    if (burstyLoad)
    {
        text.AppendLine("Bursty load on: two threads spinning and sleeping for random 0.1–1.5 s spells throughout.");
    }

    text.AppendLine(noise is null
        ? string.Create(c, $"Threshold used t = {threshold:0.00}%; {repetitions} repetitions per effect (summarized from the raw rows).")
        : string.Create(c, $"Threshold used t = {threshold:0.00}%; A/A calibration at the start: noise {noise.NoisePct:0.00}% per pair over {noise.Pairs} pairs (max(5%, k × noise) = {noise.EffectiveThresholdPct:0.00}%); base work {baseIterations} iterations; {repetitions} repetitions per effect."));
    text.AppendLine();
    text.AppendLine("| work | hyperfine Δ (mean of reps) | Perfloop Δ (mean HL) | improved | regressed | equivalent | inconclusive | wrong | mean pairs | Perfloop s/verdict | hyperfine s/comparison | hyperfine ratio in Perfloop CI | intervals overlap |");
    text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    foreach (var group in rows.GroupBy(r => r.Effect).OrderBy(g => g.Key))
    {
        var list = group.ToList();
        int Count(Verdict v) => list.Count(r => r.Verdict == v);
        var wrong = list.Count(r => r.IsWrong);
        var inside = list.Count(r => r.HyperfineRatio >= r.Low && r.HyperfineRatio <= r.High);
        var overlap = list.Count(r => r.HyperfineHigh >= r.Low && r.HyperfineLow <= r.High);
        text.AppendLine(c,
            $"| ×{group.Key:0.00} | {100 * (list.Average(r => r.HyperfineRatio) - 1):+0.00;-0.00}% | {100 * (list.Average(r => r.Ratio) - 1):+0.00;-0.00}% | {Count(Verdict.Improved)} | {Count(Verdict.Regressed)} | {Count(Verdict.Equivalent)} | {Count(Verdict.Inconclusive)} | {wrong} | {list.Average(r => r.Pairs):0.0} | {list.Average(r => r.PerfloopSeconds):0.00} | {list.Average(r => r.HyperfineSeconds):0.00} | {inside}/{list.Count} | {overlap}/{list.Count} |");
    }

    text.AppendLine();
    // Per-comparison agreement mixes the two tools' errors; over the repetitions, the systematic difference between
    // them and each one's own scatter separate the two.
    text.AppendLine("| work | expected Δ | Perfloop Δ − expected | hyperfine Δ − expected | Perfloop CI covers expected | Perfloop − hyperfine, mean over reps (95% CI, t) | Perfloop SD across reps | hyperfine SD across reps | Perfloop mean CI width |");
    text.AppendLine("|---|---|---|---|---|---|---|---|---|");
    foreach (var group in rows.GroupBy(r => r.Effect).OrderBy(g => g.Key))
    {
        var perfloop = group.Select(r => 100 * (r.Ratio - 1)).ToList();
        var hyperfine = group.Select(r => 100 * (r.HyperfineRatio - 1)).ToList();
        var difference = perfloop.Zip(hyperfine, (p, h) => p - h).ToList();
        var mean = difference.Average();
        var half = difference.Count > 1
            ? new Perfolizer.Mathematics.Distributions.ContinuousDistributions.StudentDistribution(difference.Count - 1).Quantile(0.975) * StandardDeviation(difference) / Math.Sqrt(difference.Count)
            : double.NaN;
        var expected = group.Average(r => r.ExpectedRatio);
        var covered = group.Count(r => r.Low <= r.ExpectedRatio && r.ExpectedRatio <= r.High);
        text.AppendLine(c,
            $"| ×{group.Key:0.00} | {100 * (expected - 1):+0.00;-0.00}% | {perfloop.Average() - (100 * (expected - 1)):+0.00;-0.00} pp | {hyperfine.Average() - (100 * (expected - 1)):+0.00;-0.00} pp | {covered}/{group.Count()} | {mean:+0.00;-0.00} pp ({mean - half:+0.00;-0.00} … {mean + half:+0.00;-0.00}) | {StandardDeviation(perfloop):0.00} pp | {StandardDeviation(hyperfine):0.00} pp | {group.Average(r => 100 * (r.High - r.Low)):0.00} pp |");
    }

    text.AppendLine();
    var loads = rows.Select(r => r.Load1).Order().ToList();
    text.AppendLine(c, $"Load average (1 min) at the end of each comparison: min {loads[0]:0.00}, median {loads[loads.Count / 2]:0.00}, max {loads[^1]:0.00} on {Environment.ProcessorCount} cores.");
    text.AppendLine(c, $"Expected Δ: the work change diluted by the {rows[0].StartupMs:0.###} ms a run costs with no work, against hyperfine's mean time of the baseline: Perfloop's interval covers it in {rows.Count(r => r.Low <= r.ExpectedRatio && r.ExpectedRatio <= r.High)} of {rows.Count} comparisons.");
    text.AppendLine(c, $"Totals: {rows.Count} verdicts, {rows.Count(r => r.IsWrong)} wrong ({rows.Count(r => r.IsWrongDirection)} in the wrong direction); Perfloop {rows.Sum(r => r.PerfloopSeconds):0} s in all, hyperfine {rows.Sum(r => r.HyperfineSeconds):0} s.");
    return text.ToString();
}

static List<Row> ParseRaw(string tsv, double givenStartupMs)
{
    var c = CultureInfo.InvariantCulture;
    var lines = tsv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    var header = lines[0].Split('\t').Select((name, index) => (name, index)).ToDictionary(p => p.name, p => p.index);
    return [.. lines.Skip(1).Select(line =>
    {
        var f = line.Split('\t');
        double D(string name) => double.Parse(f[header[name]], c);
        int I(string name) => int.Parse(f[header[name]], c);
        return new Row(I("rep"), D("work_ratio"), D("threshold_pct"), Enum.Parse<Verdict>(f[header["verdict"]]), D("ratio"), D("ci_low"), D("ci_high"),
            I("pairs"), D("perfloop_s"), D("hf_mean_a_s"), D("hf_sd_a_s"), I("hf_runs_a"), D("hf_mean_b_s"), D("hf_sd_b_s"), I("hf_runs_b"),
            D("hyperfine_s"), header.ContainsKey("load1") ? D("load1") : double.NaN, header.ContainsKey("startup_ms") ? D("startup_ms") : givenStartupMs);
    })];
}

static double StandardDeviation(List<double> values)
{
    if (values.Count < 2)
    {
        return double.NaN;
    }

    var mean = values.Average();
    return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
}

/// <summary>One comparison: Perfloop's verdict and estimate, and hyperfine's means on the same two commands.</summary>
sealed record Row(int Rep, double Effect, double ThresholdPct, Verdict Verdict, double Ratio, double Low, double High, int Pairs, double PerfloopSeconds,
    double MeanA, double SdA, int RunsA, double MeanB, double SdB, int RunsB, double HyperfineSeconds, double Load1, double StartupMs)
{
    public double HyperfineRatio => MeanB / MeanA;

    /// <summary>The wall-time ratio a ×Effect work change makes: only the part of the baseline's time above the start-up scales.</summary>
    public double ExpectedRatio => 1 + ((Effect - 1) * (1 - (StartupMs / (1000 * MeanA))));

    // Delta-method 95% interval of a ratio of two independent means.
    double HyperfineHalfWidth => 1.96 * HyperfineRatio * Math.Sqrt((SdA * SdA / (MeanA * MeanA * RunsA)) + (SdB * SdB / (MeanB * MeanB * RunsB)));

    public double HyperfineLow => HyperfineRatio - HyperfineHalfWidth;

    public double HyperfineHigh => HyperfineRatio + HyperfineHalfWidth;

    // Rounded: (0.95 - 1) * 100 is -5.000000000000004, which would make an effect at the threshold look beyond it.
    double TrueDeltaPct => Math.Round((Effect - 1) * 100, 6);

    /// <summary>A verdict of the wrong sign: a no-op or a slowdown called improved, a speed-up called regressed.</summary>
    public bool IsWrongDirection =>
        (Verdict == Verdict.Improved && TrueDeltaPct >= 0) || (Verdict == Verdict.Regressed && TrueDeltaPct <= 0);

    /// <summary>Wrong direction, or "equivalent" for a work change beyond the threshold (inconclusive is never wrong).</summary>
    public bool IsWrong => IsWrongDirection || (Verdict == Verdict.Equivalent && Math.Abs(TrueDeltaPct) > ThresholdPct);
}
