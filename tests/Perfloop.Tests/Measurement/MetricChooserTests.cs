using Perfloop.Measurement;
using Perfloop.Statistics;

namespace Perfloop.Tests.Measurement;

public class MetricChooserTests
{
    static readonly SelectedMetric Wall = new(MetricNames.WallMs, MetricDirection.LowerIsBetter, "ms", MetricSources.None);

    static MetricChoice Choose(IReadOnlyList<RunSample> calibration, string domain = "cpu", SelectedMetric? configured = null, bool isExplicit = false) =>
        MetricChooser.Choose(new MetricChoiceInput(calibration, domain, configured ?? Wall, isExplicit, 5, SimulatedRuns.Cores));

    [Fact]
    public void A_cpu_bound_program_under_heavy_load_is_judged_on_cpu_time_at_the_domain_threshold()
    {
        var calibration = SimulatedRuns.Generate(ProgramKind.CpuBound, MachineState.Heavy, 10, 1, seed: 1);

        var choice = Choose(calibration);

        Assert.Equal(MetricNames.CpuMs, choice.Metric);
        Assert.True(choice.WallGuard);
        Assert.Equal(5, choice.EffectiveThresholdPct);
        var wall = choice.Candidates.Single(c => c.Metric == MetricNames.WallMs);
        Assert.True(wall.Noise.EffectiveThresholdPct > 30, $"wall time's own threshold would be {wall.Noise.EffectiveThresholdPct:0.0}%");
        Assert.StartsWith("cpu_ms: single-threaded and CPU-bound", choice.Why, StringComparison.Ordinal);
        Assert.Contains("wall time less run-queue wait", choice.Why, StringComparison.Ordinal);
        Assert.Contains("20 of them under CPU contention", choice.Why, StringComparison.Ordinal);
    }

    [Fact]
    public void On_a_quiet_machine_the_less_noisy_faithful_proxy_judges_too()
    {
        var choice = Choose(SimulatedRuns.Generate(ProgramKind.CpuBound, MachineState.Quiet, 10, 1, seed: 2, runQueueMeasured: false));

        Assert.Equal(MetricNames.CpuMs, choice.Metric);
        Assert.Contains("median of 20 uncontended A/A runs", choice.Why, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_run_queue_waits_only_uncontended_runs_count_and_none_means_wall_time()
    {
        var heavy = Choose(SimulatedRuns.Generate(ProgramKind.CpuBound, MachineState.Heavy, 10, 1, seed: 3, runQueueMeasured: false));
        var bursty = Choose(SimulatedRuns.Generate(ProgramKind.CpuBound, MachineState.Bursty, 10, 1, seed: 3, runQueueMeasured: false));

        Assert.Equal(MetricNames.WallMs, heavy.Metric);
        Assert.False(heavy.WallGuard);
        Assert.Contains("only 0 of 20 runs were uncontended", heavy.Why, StringComparison.Ordinal);
        Assert.Equal(MetricNames.CpuMs, bursty.Metric);
        Assert.Contains("median of 10 uncontended A/A runs", bursty.Why, StringComparison.Ordinal);
    }

    [Fact]
    public void Enough_uncontended_runs_are_preferred_to_a_partial_run_queue_correction()
    {
        // A shell running the program as a child: only the shell's wait for a CPU is measured, so contended runs look
        // like waiting. The uncontended half of a bursty calibration shows the truth.
        var calibration = SimulatedRuns.Generate(ProgramKind.CpuBound, MachineState.Bursty, 10, 1, seed: 13)
            .Select(s => s.Load.CpuPressurePct > 20 ? s with { Load = s.Load with { RunQueueWaitMs = s.Load.RunQueueWaitMs / 10 } } : s)
            .ToList();

        var choice = Choose(calibration);

        Assert.Equal(MetricNames.CpuMs, choice.Metric);
        Assert.Contains("1.00× wall time, median of 10 uncontended A/A runs", choice.Why, StringComparison.Ordinal);
        Assert.False(choice.OffCpu!.RunQueueCorrected);
    }

    [Fact]
    public void Without_pressure_the_load_average_tells_contended_runs()
    {
        var choice = Choose(SimulatedRuns.Generate(ProgramKind.CpuBound, MachineState.Heavy, 10, 1, seed: 4, runQueueMeasured: false, pressureMeasured: false));

        Assert.Equal(MetricNames.WallMs, choice.Metric);
        Assert.Contains("only 0 of 20", choice.Why, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(MachineState.Quiet)]
    [InlineData(MachineState.Heavy)]
    public void A_parallel_program_keeps_wall_time(MachineState machine)
    {
        var choice = Choose(SimulatedRuns.Generate(ProgramKind.Parallel, machine, 10, 1, seed: 5));

        Assert.Equal(MetricNames.WallMs, choice.Metric);
        Assert.Contains("several threads work at once (CPU time 2.00×", choice.Why, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(MachineState.Quiet)]
    [InlineData(MachineState.Heavy)]
    public void A_waiting_program_keeps_wall_time(MachineState machine)
    {
        var choice = Choose(SimulatedRuns.Generate(ProgramKind.Waiting, machine, 10, 1, seed: 6));

        Assert.Equal(MetricNames.WallMs, choice.Metric);
        Assert.Contains("the program waits (CPU time 0.3", choice.Why, StringComparison.Ordinal);
    }

    [Fact]
    public void Cpu_time_no_less_noisy_than_wall_time_leaves_wall_time()
    {
        // Runs where wall time equals CPU time exactly: the proxy buys nothing.
        var calibration = SimulatedRuns.Generate(ProgramKind.CpuBound, MachineState.Quiet, 10, 1, seed: 7)
            .Select(s => s with { WallMs = s.CpuMs!.Value }).ToList();

        var choice = Choose(calibration);

        Assert.Equal(MetricNames.WallMs, choice.Metric);
        Assert.Contains("but not less noisy", choice.Why, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deterministic_instruction_count_of_a_cpu_bound_program_judges_and_makes_the_design_deterministic()
    {
        var choice = Choose(SimulatedRuns.Generate(ProgramKind.CpuBound, MachineState.Heavy, 10, 1, seed: 8, instructions: true));

        Assert.Equal(MetricNames.Instructions, choice.Metric);
        Assert.True(choice.Deterministic);
        Assert.True(choice.WallGuard);
        Assert.Equal(0, choice.Noise.NoisePct);
        Assert.True(choice.Design(new SequentialDesign()).Deterministic);
        Assert.Contains("instructions 0 (deterministic)", choice.DescribeCandidates(), StringComparison.Ordinal);
    }

    [Fact]
    public void Instruction_counts_of_a_waiting_program_do_not_judge()
    {
        var choice = Choose(SimulatedRuns.Generate(ProgramKind.Waiting, MachineState.Heavy, 10, 1, seed: 9, instructions: true));

        Assert.Equal(MetricNames.WallMs, choice.Metric);
        Assert.False(choice.Design(new SequentialDesign()).Deterministic);
    }

    [Fact]
    public void A_metric_named_in_perfloop_json_always_wins()
    {
        var heavy = SimulatedRuns.Generate(ProgramKind.CpuBound, MachineState.Heavy, 10, 1, seed: 10);
        var parallel = SimulatedRuns.Generate(ProgramKind.Parallel, MachineState.Quiet, 10, 1, seed: 10);
        var cpu = new SelectedMetric(MetricNames.CpuMs, MetricDirection.LowerIsBetter, "ms", MetricSources.None);

        var wall = Choose(heavy, isExplicit: true);
        var named = Choose(parallel, configured: cpu, isExplicit: true);

        Assert.Equal(MetricNames.WallMs, wall.Metric);
        Assert.Equal("wall_ms: named in perfloop.json", wall.Why);
        Assert.True(wall.EffectiveThresholdPct > 30);
        Assert.Equal(MetricNames.CpuMs, named.Metric);
        Assert.True(named.WallGuard, "CPU time stands in for wall time in the cpu domain even when named");
    }

    [Fact]
    public void Other_domains_keep_their_metric()
    {
        var rss = new SelectedMetric(MetricNames.PeakRssMb, MetricDirection.LowerIsBetter, "MB", MetricSources.None);

        var choice = Choose(SimulatedRuns.Generate(ProgramKind.CpuBound, MachineState.Heavy, 10, 1, seed: 11), "memory", rss);

        Assert.Equal(MetricNames.PeakRssMb, choice.Metric);
        Assert.False(choice.WallGuard);
        Assert.Equal("peak_rss_mb: the memory domain's metric", choice.Why);
    }

    [Fact]
    public void Samples_without_cpu_time_or_load_evidence_behave_as_before()
    {
        var noCpu = SimulatedRuns.Generate(ProgramKind.CpuBound, MachineState.Quiet, 10, 1, seed: 12).Select(s => s with { CpuMs = null }).ToList();
        var old = SimulatedRuns.Generate(ProgramKind.CpuBound, MachineState.Quiet, 10, 1, seed: 12).Select(s => s with { Load = RunLoad.None }).ToList();

        Assert.Equal("wall_ms: no CPU time was measured", Choose(noCpu).Why);
        Assert.Equal(MetricNames.CpuMs, Choose(old).Metric);
    }

    /// <summary>
    /// The whole path by simulation under heavy load: calibrate, choose, then judge ±15% and no-op A/B runs with the
    /// sequential test on the chosen metric, and the wall-time guard on every improvement.
    /// </summary>
    [Theory]
    [InlineData(0.85, Verdict.Improved)]
    [InlineData(1.15, Verdict.Regressed)]
    [InlineData(1.00, Verdict.Equivalent)]
    public void Under_heavy_load_the_chosen_metric_decides_fifteen_percent_and_no_ops_rightly(double work, Verdict expected)
    {
        var design = new SequentialDesign();
        for (var seed = 100; seed < 140; seed++)
        {
            var choice = Choose(SimulatedRuns.Generate(ProgramKind.CpuBound, MachineState.Heavy, 10, 1, seed));
            var ab = SimulatedRuns.Generate(ProgramKind.CpuBound, MachineState.Heavy, 60, work, seed + 1000);
            SequentialStep? step = null;
            for (var pairs = 2; pairs <= 60; pairs += 2)
            {
                var sofar = ab.Where(s => s.Pair < pairs).ToList();
                step = SequentialTest.Evaluate(choice.Design(design), SimulatedRuns.Values(sofar, Side.Baseline, choice.Metric),
                    SimulatedRuns.Values(sofar, Side.Candidate, choice.Metric), choice.EffectiveThresholdPct, choice.Direction);
                if (step.Stop)
                {
                    // The guard vetoes keeps only: wall time may not contradict an improvement or a no-op.
                    var guard = WallTimeGuard.Check(sofar, step.Result, design);
                    Assert.True(!guard.Contradicts || expected == Verdict.Regressed, guard.Text);
                    break;
                }
            }

            Assert.Equal(MetricNames.CpuMs, choice.Metric);
            Assert.Equal(expected, step!.Result.Verdict);
            Assert.True(step.Result.Estimate.Pairs <= 16, $"seed {seed}: {step.Why}");
        }
    }
}
