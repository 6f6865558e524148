// Three ways to judge the same C workload side by side, each repetition a fresh "session" (its own A/A calibration):
//   wall         today's wall-time-only design: threshold max(5%, k × A/A wall noise), verdict on wall_ms;
//   evidence     the metric chosen by evidence (MetricChooser over the A/A: CPU time for this single-threaded,
//                CPU-bound program), its own threshold, and the wall-time guard on every improvement;
//   instructions the same choice with the callgrind counter configured (the count is deterministic: one block);
//   hyperfine    hyperfine's default on the same two binaries (≥ 10 runs and ≥ 3 s per command, not interleaved),
//                judged naively: its ratio of means beyond ±5% is a change.
// --heavy-load N starts N busy-spinning processes (sh -c 'while :; do :; done') for the whole run and ends them.
// Usage: dotnet run -c Release --project bench/Perfloop.Bench.Real -- --designs [repetitions=20] [iterations=20000000]
//        [raw.tsv=bench/Perfloop.Bench.Real/heavy-run.tsv] [--heavy-load 4] [--only wall,evidence,instructions,hyperfine]
//        dotnet run -c Release --project bench/Perfloop.Bench.Real -- --designs --summarize raw.tsv
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Perfloop.Measurement;
using Perfloop.Processes;
using Perfloop.Statistics;

/// <summary>The heavy-load comparison of judging designs (see the top of this file).</summary>
internal static class DesignComparison
{
    static readonly CultureInfo C = CultureInfo.InvariantCulture;
    static readonly double[] Effects = [1.00, 0.95, 1.05, 0.85, 1.15, 0.65, 1.35];
    const double DomainThresholdPct = 5;

    public static async Task RunAsync(string[] args)
    {
        var heavyOption = Array.IndexOf(args, "--heavy-load");
        var spinners = heavyOption >= 0 ? int.Parse(args[heavyOption + 1], C) : 0;
        var onlyOption = Array.IndexOf(args, "--only");
        var designs = onlyOption >= 0 ? args[onlyOption + 1].Split(',') : ["wall", "evidence", "instructions", "hyperfine"];
        var summarize = Array.IndexOf(args, "--summarize");
        if (summarize >= 0)
        {
            var saved = Parse(await File.ReadAllTextAsync(args[summarize + 1]));
            Console.WriteLine(Summary(saved, null, saved.Max(r => r.Rep) + 1));
            return;
        }

        var positional = args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal)
            && (heavyOption < 0 || i != heavyOption + 1) && (onlyOption < 0 || i != onlyOption + 1)).ToArray();
        var repetitions = positional.Length > 0 ? int.Parse(positional[0], C) : 20;
        var iterations = positional.Length > 1 ? long.Parse(positional[1], C) : 20_000_000;
        var rawPath = positional.Length > 2 ? positional[2] : Path.Combine("bench", "Perfloop.Bench.Real", "heavy-run.tsv");

        var runner = new ProcessRunner();
        var root = Directory.CreateTempSubdirectory("perfloop-bench-designs-").FullName;
        using var stopLoad = new CancellationTokenSource();
        // The spinners go through the runner like every process, and its cancellation kills their process groups.
        var load = Enumerable.Range(0, spinners)
            .Select(_ => runner.RunAsync(new CommandSpec("/bin/sh", ["-c", "while :; do :; done"], root) { Timeout = TimeSpan.FromHours(24) }, stopLoad.Token))
            .ToList();
        try
        {
            var binary = Path.Combine(root, "burn");
            var compile = await runner.RunAsync(new CommandSpec("gcc", ["-O2", "-o", binary, Path.Combine(AppContext.BaseDirectory, "burn.c")], root));
            if (!compile.Succeeded)
                throw new InvalidOperationException("gcc failed: " + compile.StderrText);
            var baseline = Workload(root, "base", iterations);
            var variants = Effects.ToDictionary(e => e, e => Workload(root, e == 1.0 ? "twin" : $"x{e.ToString("0.00", C)}", (long)(iterations * e)));
            var zero = Workload(root, "zero", 0);
            await Task.Delay(TimeSpan.FromSeconds(spinners > 0 ? 5 : 0));
            var startLoad = Uptime();
            Console.Error.WriteLine($"{spinners} spinners; {startLoad}");

            // The parts of a run that do not scale with the work: a ×r work change is 1 + (r − 1)·(1 − fixed/T) of the metric.
            var fixedCost = await MeasureAsync(runner, zero, baseline);
            var counter = designs.Contains("instructions") ? InstructionCounter.Of(InstructionCounterKind.Callgrind) : null;
            var (zeroInstructions, baseInstructions) = counter is null ? (0.0, 1.0) : (await CountAsync(runner, counter, zero), await CountAsync(runner, counter, baseline));
            Console.Error.WriteLine(string.Create(C, $"fixed cost: wall {fixedCost.WallMs:0.000} ms of {fixedCost.BaseWallMs:0.00}, cpu {fixedCost.CpuMs:0.000} ms of {fixedCost.BaseCpuMs:0.00}, instructions {zeroInstructions:0} of {baseInstructions:0}"));

            var rows = new List<Row>();
            var sessions = new List<string>();
            var clock = Stopwatch.StartNew();
            for (var rep = 0; rep < repetitions; rep++)
            {
                var session = await CalibrateAsync(runner, baseline, variants[1.0], rep, counter: null);
                var counted = counter is null ? null : await CalibrateAsync(runner, baseline, variants[1.0], rep, counter);
                sessions.Add(string.Create(C,
                    $"- session {rep + 1}: A/A {session.Seconds:0} s{(counted is null ? "" : $" (with callgrind {counted.Seconds:0} s)")}; wall noise {session.WallNoise.NoisePct:0.0}% → threshold {session.WallNoise.EffectiveThresholdPct:0.0}%; chosen {session.Choice.Why}{(counted is null ? "" : $"; with the counter: {counted.Choice.Metric} at {counted.Choice.EffectiveThresholdPct:0.0}%{(counted.Choice.Deterministic ? ", deterministic" : "")}")}"));
                Console.Error.WriteLine(sessions[^1]);
                Console.Error.WriteLine(string.Create(C,
                    $"rep {rep + 1}: wall noise {session.WallNoise.NoisePct:0.0}% → {session.WallNoise.EffectiveThresholdPct:0.0}%; evidence: {session.Choice.Why}{(counted is null ? "" : $"; with the counter: {counted.Choice.Metric} {counted.Choice.EffectiveThresholdPct:0.0}%")}"));
                foreach (var effect in Effects.OrderBy(_ => Random.Shared.Next()))
                {
                    var variant = variants[effect];
                    var seed = 1000 + (rep * 10) + Array.IndexOf(Effects, effect);
                    foreach (var design in designs.OrderBy(_ => Random.Shared.Next()))
                    {
                        var expected = design switch
                        {
                            "wall" => Expected(effect, fixedCost.WallMs, fixedCost.BaseWallMs),
                            "instructions" => (zeroInstructions + (effect * (baseInstructions - zeroInstructions))) / baseInstructions,
                            "hyperfine" => Expected(effect, fixedCost.WallMs, fixedCost.BaseWallMs),
                            _ => session.Choice.Metric == MetricNames.CpuMs ? Expected(effect, fixedCost.CpuMs, fixedCost.BaseCpuMs) : Expected(effect, fixedCost.WallMs, fixedCost.BaseWallMs),
                        };
                        var row = design switch
                        {
                            "wall" => await JudgeAsync(runner, baseline, variant, MetricNames.WallMs, session.WallNoise.EffectiveThresholdPct, new SequentialDesign(6, 60), null, guard: false, seed),
                            "evidence" => await JudgeAsync(runner, baseline, variant, session.Choice.Metric, session.Choice.EffectiveThresholdPct, session.Choice.Design(new SequentialDesign(6, 60)), null, session.Choice.WallGuard, seed),
                            "instructions" => await JudgeAsync(runner, baseline, variant, counted!.Choice.Metric, counted.Choice.EffectiveThresholdPct, counted.Choice.Design(new SequentialDesign(6, 60)), counter, counted.Choice.WallGuard, seed),
                            _ => await HyperfineAsync(runner, root, baseline, variant),
                        };
                        row = row with { Rep = rep, Effect = effect, Design = design, Expected = expected };
                        rows.Add(row);
                        Console.Error.WriteLine(string.Create(C,
                            $"rep {rep + 1}/{repetitions} ×{effect:0.00} {design,-12} {row.Metric,-12} {row.Verdict,-12} {100 * (row.Ratio - 1):+0.0;-0.0}% [{100 * (row.Low - 1):+0.0;-0.0}, {100 * (row.High - 1):+0.0;-0.0}] t={row.ThresholdPct:0.0}% {row.Pairs} pairs {row.Seconds:0.0}s pressure {row.PressurePct:0}%{(row.GuardContradicts ? " GUARD" : "")}{(row.LoadShift.Length > 0 ? " | " + row.LoadShift : "")}"));
                    }
                }

                await File.WriteAllTextAsync(rawPath, Raw(rows));
                await File.WriteAllTextAsync(Path.ChangeExtension(rawPath, ".md"), Summary(rows, $"{spinners} busy-spinning processes; at the start {startLoad}; now {Uptime()}; {clock.Elapsed.TotalMinutes:0} min so far", rep + 1)
                    + "\nSessions (A/A calibrations and the metric each chose):\n\n" + string.Join("\n", sessions) + "\n");
            }

            Console.WriteLine(Summary(rows, $"{spinners} busy-spinning processes; at the start {startLoad}; at the end {Uptime()}; {clock.Elapsed.TotalMinutes:0} min in all", repetitions));
            Console.WriteLine(string.Join("\n", sessions));
        }
        finally
        {
            await stopLoad.CancelAsync();
            await Task.WhenAll(load);
            Directory.Delete(root, recursive: true);
        }
    }

    sealed record Session(NoiseEstimate WallNoise, MetricChoice Choice, double Seconds);

    /// <summary>One session's A/A calibration: 10 interleaved pairs of the unchanged build, as the loop does.</summary>
    static async Task<Session> CalibrateAsync(ProcessRunner runner, string baseline, string twin, int rep, InstructionCounter? counter)
    {
        var clock = Stopwatch.StartNew();
        var aa = await new InterleavedBenchmark(runner, "./burn", MetricNames.WallMs, MetricDirection.LowerIsBetter, counter: counter)
            .RunAsync(baseline, twin, new MeasurementPlan(1, new SequentialDesign(10, 10), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(2), rep), DomainThresholdPct, null, CancellationToken.None);
        if (aa.Failure is { } failure)
            throw new InvalidOperationException($"A/A run failed: {failure.Message}");
        var wall = NoiseCalibration.Calibrate(aa.Values(Side.Baseline, MetricNames.WallMs), aa.Values(Side.Candidate, MetricNames.WallMs), DomainThresholdPct);
        var configured = new SelectedMetric(MetricNames.WallMs, MetricDirection.LowerIsBetter, "ms", MetricSources.None);
        var choice = MetricChooser.Choose(new MetricChoiceInput(aa.Samples, "cpu", configured, Explicit: false, DomainThresholdPct, Environment.ProcessorCount));
        return new Session(wall, choice, clock.Elapsed.TotalSeconds);
    }

    static async Task<Row> JudgeAsync(ProcessRunner runner, string baseline, string variant, string metric, double threshold, SequentialDesign design, InstructionCounter? counter, bool guard, int seed)
    {
        var plan = new MeasurementPlan(1, design, TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(2), seed);
        var comparison = await new InterleavedBenchmark(runner, "./burn", metric, MetricDirection.LowerIsBetter, counter: counter)
            .RunAsync(baseline, variant, plan, threshold, null, CancellationToken.None);
        if (comparison.Failure is { } failure)
            throw new InvalidOperationException($"run failed: {failure.Message}");
        var result = comparison.Result!;
        var check = guard && result.Verdict == Verdict.Improved ? WallTimeGuard.Check(comparison.Samples, result, design) : null;
        var pressures = comparison.Samples.Select(s => s.Load.CpuPressurePct).OfType<double>().Order().ToList();
        var e = result.Estimate;
        return new Row(0, 0, "", metric, threshold, result.Verdict, e.Ratio, e.Low, e.High, comparison.Pairs, comparison.Elapsed.TotalSeconds,
            check?.Contradicts ?? false, pressures.Count > 0 ? pressures[pressures.Count / 2] : double.NaN, LoadShiftDetector.Detect(comparison.Samples)?.Text ?? "", double.NaN);
    }

    static async Task<Row> HyperfineAsync(ProcessRunner runner, string root, string baseline, string variant)
    {
        var json = Path.Combine(root, "hyperfine.json");
        var clock = Stopwatch.StartNew();
        var result = await runner.RunAsync(new CommandSpec("hyperfine", ["--style", "none", "--export-json", json, Path.Combine(baseline, "burn"), Path.Combine(variant, "burn")], root)
        {
            Timeout = TimeSpan.FromMinutes(5),
        });
        if (!result.Succeeded)
            throw new InvalidOperationException("hyperfine failed: " + result.StderrText);
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var results = document.RootElement.GetProperty("results");
        double Mean(int i) => results[i].GetProperty("mean").GetDouble();
        double Sd(int i) => results[i].GetProperty("stddev").GetDouble();
        int Runs(int i) => results[i].GetProperty("times").GetArrayLength();
        var ratio = Mean(1) / Mean(0);
        var half = 1.96 * ratio * Math.Sqrt((Sd(0) * Sd(0) / (Mean(0) * Mean(0) * Runs(0))) + (Sd(1) * Sd(1) / (Mean(1) * Mean(1) * Runs(1))));
        // What a user of hyperfine does: call a ratio of means beyond ±5% a change.
        var verdict = ratio < 0.95 ? Verdict.Improved : ratio > 1.05 ? Verdict.Regressed : Verdict.Equivalent;
        return new Row(0, 0, "", "mean wall", DomainThresholdPct, verdict, ratio, ratio - half, ratio + half, Runs(0) + Runs(1), clock.Elapsed.TotalSeconds, false, double.NaN, "", double.NaN);
    }

    sealed record FixedCost(double WallMs, double BaseWallMs, double CpuMs, double BaseCpuMs);

    /// <summary>Medians of 31 runs with no work and of 31 baseline runs, timed exactly as Perfloop times the bench.</summary>
    static async Task<FixedCost> MeasureAsync(ProcessRunner runner, string zero, string baseline)
    {
        async Task<(double Wall, double Cpu)> Median(string directory)
        {
            var runs = new List<ProcessResult>();
            for (var i = 0; i < 31; i++)
                runs.Add(await runner.RunAsync(TimedCommand.For("./burn", directory) with { ExactPeakRss = true }));
            var wall = runs.Select(r => r.WallTime.TotalMilliseconds).Order().ElementAt(15);
            var cpu = runs.Select(r => r.TotalCpu!.Value.TotalMilliseconds).Order().ElementAt(15);
            return (wall, cpu);
        }

        var z = await Median(zero);
        var b = await Median(baseline);
        return new FixedCost(z.Wall, b.Wall, z.Cpu, b.Cpu);
    }

    static async Task<double> CountAsync(ProcessRunner runner, InstructionCounter counter, string directory)
    {
        var output = Directory.CreateTempSubdirectory("perfloop-bench-count-").FullName;
        try
        {
            var result = await runner.RunAsync(counter.Wrap(TimedCommand.For("./burn", directory) with { Timeout = TimeSpan.FromMinutes(1) }, output));
            return result.Succeeded ? counter.Read(output) : throw new InvalidOperationException("callgrind failed: " + result.StderrText);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    /// <summary>The metric's ratio for a ×r work change when <paramref name="fixedPart"/> of <paramref name="total"/> does not scale.</summary>
    static double Expected(double effect, double fixedPart, double total) => 1 + ((effect - 1) * (1 - (fixedPart / total)));

    static string Workload(string root, string name, long iterations)
    {
        var directory = Path.Combine(root, name);
        Directory.CreateDirectory(directory);
        File.Copy(Path.Combine(root, "burn"), Path.Combine(directory, "burn"), overwrite: true);
        File.WriteAllText(Path.Combine(directory, "n"), iterations.ToString(CultureInfo.InvariantCulture));
        return directory;
    }

    static string Uptime()
    {
        var fields = File.ReadAllText("/proc/loadavg").Split(' ');
        return $"load average {fields[0]} {fields[1]} {fields[2]} on {Environment.ProcessorCount} cores";
    }

    static string Raw(List<Row> rows)
    {
        var text = new StringBuilder("rep\twork_ratio\tdesign\tmetric\tthreshold_pct\tverdict\tratio\tci_low\tci_high\tpairs\tseconds\tguard_contradicts\tpressure_pct\tload_shift\texpected\n");
        foreach (var r in rows)
        {
            text.Append(C, $"{r.Rep}\t{r.Effect:0.00}\t{r.Design}\t{r.Metric}\t{r.ThresholdPct:0.###}\t{r.Verdict}\t{r.Ratio:0.######}\t{r.Low:0.######}\t{r.High:0.######}\t{r.Pairs}\t{r.Seconds:0.###}\t{r.GuardContradicts}\t{r.PressurePct:0.#}\t{r.LoadShift}\t{r.Expected:0.######}\n");
        }

        return text.ToString();
    }

    static List<Row> Parse(string tsv)
    {
        var lines = tsv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split('\t').Select((name, index) => (name, index)).ToDictionary(p => p.name, p => p.index);
        return [.. lines.Skip(1).Select(line =>
        {
            var f = line.Split('\t');
            double D(string name) => double.Parse(f[header[name]], C);
            return new Row(int.Parse(f[header["rep"]], C), D("work_ratio"), f[header["design"]], f[header["metric"]], D("threshold_pct"), Enum.Parse<Verdict>(f[header["verdict"]]),
                D("ratio"), D("ci_low"), D("ci_high"), int.Parse(f[header["pairs"]], C), D("seconds"), bool.Parse(f[header["guard_contradicts"]]), D("pressure_pct"), f[header["load_shift"]], D("expected"));
        })];
    }

    static string Summary(List<Row> rows, string? load, int repetitions)
    {
        var text = new StringBuilder();
        if (load is not null)
            text.AppendLine(load);
        text.AppendLine(C, $"{repetitions} repetitions; each repetition calibrates afresh (10 A/A pairs) like a new session.");
        text.AppendLine();
        text.AppendLine("| design | metric | work | Δ (mean) | expected Δ | improved | regressed | equivalent | inconclusive | wrong | false KEEP | mean threshold | mean pairs | s / verdict | guard vetoes | CI covers expected |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var design in rows.GroupBy(r => r.Design).OrderBy(g => DesignOrder(g.Key)))
        {
            foreach (var group in design.GroupBy(r => r.Effect).OrderBy(g => g.Key))
            {
                var list = group.ToList();
                int Count(Verdict v) => list.Count(r => r.Verdict == v);
                var metrics = string.Join("/", list.Select(r => r.Metric).Distinct());
                text.AppendLine(C,
                    $"| {design.Key} | {metrics} | ×{group.Key:0.00} | {100 * (list.Average(r => r.Ratio) - 1):+0.00;-0.00}% | {100 * (list.Average(r => r.Expected) - 1):+0.00;-0.00}% | {Count(Verdict.Improved)} | {Count(Verdict.Regressed)} | {Count(Verdict.Equivalent)} | {Count(Verdict.Inconclusive)} | {list.Count(r => r.IsWrong)} | {list.Count(r => r.IsFalseKeep)} | {list.Average(r => r.ThresholdPct):0.0}% | {list.Average(r => r.Pairs):0.0} | {list.Average(r => r.Seconds):0.00} | {list.Count(r => r.GuardContradicts)} | {list.Count(r => r.Low <= r.Expected && r.Expected <= r.High)}/{list.Count} |");
            }
        }

        text.AppendLine();
        text.AppendLine("| design | verdicts | wrong direction | false KEEP | wrong | ±15% decided | ±35% decided | mean threshold | max threshold | s / verdict (mean) | total s |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var design in rows.GroupBy(r => r.Design).OrderBy(g => DesignOrder(g.Key)))
        {
            var list = design.ToList();
            var fifteen = list.Where(r => Math.Abs(r.Effect - 1) is > 0.14 and < 0.16).ToList();
            var thirtyFive = list.Where(r => Math.Abs(r.Effect - 1) > 0.3).ToList();
            text.AppendLine(C,
                $"| {design.Key} | {list.Count} | {list.Count(r => r.IsWrongDirection)} | {list.Count(r => r.IsFalseKeep)} | {list.Count(r => r.IsWrong)} | {fifteen.Count(r => r.IsDecided)}/{fifteen.Count} | {thirtyFive.Count(r => r.IsDecided)}/{thirtyFive.Count} | {list.Average(r => r.ThresholdPct):0.0}% | {list.Max(r => r.ThresholdPct):0.0}% | {list.Average(r => r.Seconds):0.00} | {list.Sum(r => r.Seconds):0} |");
        }

        var pressures = rows.Select(r => r.PressurePct).Where(double.IsFinite).Order().ToList();
        if (pressures.Count > 0)
            text.AppendLine().AppendLine(C, $"CPU pressure (PSI some) during the Perfloop verdicts, median per verdict: min {pressures[0]:0}%, median {pressures[pressures.Count / 2]:0}%, max {pressures[^1]:0}%; load shifts said: {rows.Count(r => r.LoadShift.Length > 0)}.");
        return text.ToString();
    }

    static int DesignOrder(string design) => design switch { "wall" => 0, "evidence" => 1, "instructions" => 2, _ => 3 };

    /// <summary>One verdict of one design on one effect.</summary>
    sealed record Row(int Rep, double Effect, string Design, string Metric, double ThresholdPct, Verdict Verdict, double Ratio, double Low, double High, int Pairs,
        double Seconds, bool GuardContradicts, double PressurePct, string LoadShift, double Expected)
    {
        // Rounded: (0.95 - 1) * 100 is -5.000000000000004, which would make an effect at the threshold look beyond it.
        double TrueDeltaPct => Math.Round((Expected - 1) * 100, 6);

        /// <summary>A verdict of the wrong sign: a no-op or a slowdown called improved, a speed-up called regressed.</summary>
        public bool IsWrongDirection => (Verdict == Verdict.Improved && Effect >= 1) || (Verdict == Verdict.Regressed && Effect <= 1);

        /// <summary>A KEEP the loop would make wrongly: improved on a no-op or slowdown, and not vetoed by the wall-time guard.</summary>
        public bool IsFalseKeep => Verdict == Verdict.Improved && Effect >= 1 && !GuardContradicts;

        /// <summary>Wrong direction, or "equivalent" for a change of the metric beyond the threshold (inconclusive is never wrong).</summary>
        public bool IsWrong => IsWrongDirection || (Verdict == Verdict.Equivalent && Math.Abs(TrueDeltaPct) > ThresholdPct);

        public bool IsDecided => Verdict is Verdict.Improved or Verdict.Regressed;
    }
}
