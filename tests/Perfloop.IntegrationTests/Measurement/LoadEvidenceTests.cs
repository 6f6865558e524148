using Perfloop.Measurement;
using Perfloop.Processes;
using Perfloop.Statistics;

namespace Perfloop.IntegrationTests.Measurement;

/// <summary>Per-run load evidence and the instruction counter, on real processes.</summary>
public sealed class LoadEvidenceTests : IDisposable
{
    // Directory names of different lengths, as a baseline worktree and a work tree have: the environment differs.
    readonly string baseline = Directory.CreateTempSubdirectory("perfloop-load-a-").FullName;
    readonly string candidate = Directory.CreateTempSubdirectory("perfloop-load-bb-").FullName;

    // A CPU-bound shell loop: its instruction count is a function of the iterations alone.
    const string Loop = "n=$(cat n); i=0; while [ $i -lt $n ]; do i=$((i+1)); done; echo done\n";

    public LoadEvidenceTests()
    {
        foreach (var tree in new[] { baseline, candidate })
        {
            File.WriteAllText(Path.Combine(tree, "loop.sh"), Loop);
            File.WriteAllText(Path.Combine(tree, "n"), "3000");
        }
    }

    public void Dispose()
    {
        Directory.Delete(baseline, recursive: true);
        Directory.Delete(candidate, recursive: true);
    }

    [Fact]
    public async Task Every_measured_run_records_its_context_switches_pressure_and_load_in_samples_tsv()
    {
        var plan = new MeasurementPlan(0, new SequentialDesign(2, 2), TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30), 3);

        var comparison = await new InterleavedBenchmark(new ProcessRunner(), "sh loop.sh", MetricNames.CpuMs, MetricDirection.LowerIsBetter)
            .RunAsync(baseline, candidate, plan, 5, null, CancellationToken.None);
        var back = SampleTable.Parse(SampleTable.Format(comparison.Samples));

        Assert.Null(comparison.Failure);
        Assert.Equal(4, back.Count);
        Assert.All(back, s =>
        {
            Assert.True(s.Load.VoluntarySwitches >= 0 && s.Load.InvoluntarySwitches >= 0, $"switches {s.Load}");
            Assert.True(s.Load.LoadAverage >= 0);
            Assert.Equal(File.Exists("/proc/pressure/cpu"), s.Load.CpuPressurePct is >= 0 and <= 100);
            Assert.True(s.Load.RunQueueWaitMs is null || s.Load.RunQueueWaitMs < s.WallMs, $"run-queue wait {s.Load.RunQueueWaitMs} ms of {s.WallMs} ms");
        });
    }

    [Fact]
    public async Task The_cpu_time_of_a_launched_command_leaves_out_the_launcher_shell()
    {
        // The exact-RSS launcher runs a shell (~1 ms of CPU here) in the job before releasing it; without taking that
        // off, /bin/true would cost far more CPU through the launcher than spawned directly.
        var runner = new ProcessRunner();
        var launched = new List<double>();
        var direct = new List<double>();
        for (var i = 0; i < 15; i++)
        {
            launched.Add((await runner.RunAsync(new CommandSpec("/bin/true", [], baseline) { ExactPeakRss = true })).TotalCpu!.Value.TotalMilliseconds);
            direct.Add((await runner.RunAsync(new CommandSpec("/bin/true", [], baseline))).TotalCpu!.Value.TotalMilliseconds);
        }

        if (File.Exists("/proc/self/schedstat") && File.ReadAllText("/proc/self/schedstat").Split(' ')[0] != "0")
        {
            Assert.True(Median(launched) - Median(direct) < 0.5, $"launched {Median(launched):0.000} ms vs direct {Median(direct):0.000} ms of CPU");
        }
    }

    [Fact]
    public async Task A_cpu_bound_run_that_waits_for_a_cpu_shows_it_as_run_queue_wait_not_as_waiting()
    {
        var runner = new ProcessRunner();
        // One process only: a child's own run-queue wait would not be in the main process's schedstat (see docs/metrics.md).
        File.WriteAllText(Path.Combine(baseline, "spin.sh"), "i=0; while [ $i -lt 60000 ]; do i=$((i+1)); done\n");
        // Busy spinners, one more than the cores, so the measured loop must queue for a CPU.
        using var stop = new CancellationTokenSource();
        var spinners = Enumerable.Range(0, Environment.ProcessorCount + 1)
            .Select(_ => runner.RunAsync(new CommandSpec("/bin/sh", ["-c", "while :; do :; done"], baseline) { Timeout = TimeSpan.FromMinutes(2) }, stop.Token))
            .ToList();
        var runs = new List<ProcessResult>();
        try
        {
            await Task.Delay(200);
            for (var i = 0; i < 5; i++)
            {
                runs.Add(await runner.RunAsync(TimedCommand.For("sh spin.sh", baseline) with { ExactPeakRss = true }));
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(spinners);
        }

        Assert.All(runs, r => Assert.True(r.Succeeded));
        if (runs.Any(r => r.RunQueueWait is null))
        {
            return; // this kernel keeps no schedstat: nothing to check
        }

        Assert.All(runs, r => Assert.True(r.InvoluntaryContextSwitches > 0, "the loop was never preempted beside the spinners"));
        Assert.True(runs.Sum(r => r.RunQueueWait!.Value.TotalMilliseconds) > 0, "the loop never waited for a CPU beside the spinners");
        // The median, as the metric choice takes it: the supervising thread's own wait for a CPU after an exit can lengthen
        // a single run's wall time, which no counter of the child shows.
        var ratios = runs.Select(r => r.TotalCpu!.Value.TotalMilliseconds / (r.WallTime - r.RunQueueWait!.Value).TotalMilliseconds).ToList();
        Assert.InRange(Median(ratios), MetricChooser.FaithfulLow, MetricChooser.FaithfulHigh);
    }

    [Fact]
    public async Task Callgrind_counts_are_exact_so_a_deterministic_design_decides_in_one_block()
    {
        var counter = InstructionCounter.Of(InstructionCounterKind.Callgrind);
        var runner = new ProcessRunner();
        var aa = await new InterleavedBenchmark(runner, "sh loop.sh", MetricNames.Instructions, MetricDirection.LowerIsBetter, counter: counter)
            .RunAsync(baseline, candidate, new MeasurementPlan(0, new SequentialDesign(3, 3), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(1), 1), 5, null, CancellationToken.None);
        Assert.Null(aa.Failure);
        var design = new SequentialDesign().ForCalibration(aa.Values(Side.Baseline, MetricNames.Instructions), aa.Values(Side.Candidate, MetricNames.Instructions));
        Assert.True(design.Deterministic, string.Join(", ", aa.Samples.Select(s => s.Value(MetricNames.Instructions))));

        File.WriteAllText(Path.Combine(candidate, "n"), "6000");
        var ab = await new InterleavedBenchmark(runner, "sh loop.sh", MetricNames.Instructions, MetricDirection.LowerIsBetter, counter: counter)
            .RunAsync(baseline, candidate, new MeasurementPlan(1, design, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(1), 2), 5, null, CancellationToken.None);

        Assert.Null(ab.Failure);
        Assert.Equal(2, ab.Pairs);
        Assert.Equal(Verdict.Regressed, ab.Result!.Verdict);
        // Exact, or between extremes a few instructions apart (a pid with one more digit costs a few more).
        Assert.InRange(ab.Result.Estimate.High / ab.Result.Estimate.Low, 1, 1 + (3 * SequentialDesign.DeterministicTolerance));
        // Twice the loop, plus the shell's own fixed start-up.
        Assert.InRange(ab.Result.Estimate.Ratio, 1.5, 2.0);
        Assert.Contains("deterministic metric, 2 pairs", ab.StopReason, StringComparison.Ordinal);
    }

    static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
