using Perfloop.Measurement;
using Perfloop.Statistics;

namespace Perfloop.Tests.Measurement;

public class ContentionEvidenceTests
{
    [Fact]
    public void Contention_is_read_from_pressure_else_the_load_average_else_unknown()
    {
        Assert.True(ContentionEvidence.IsContended(new RunLoad(null, null, 20, 0.1, null), 2));
        Assert.False(ContentionEvidence.IsContended(new RunLoad(null, null, 19.9, 9, null), 2));
        Assert.True(ContentionEvidence.IsContended(new RunLoad(null, null, null, 1.5, null), 2));
        Assert.False(ContentionEvidence.IsContended(new RunLoad(null, null, null, 0.9, null), 2));
        Assert.Null(ContentionEvidence.IsContended(RunLoad.None, 2));
    }

    [Fact]
    public void Busy_wall_time_takes_the_wait_for_a_cpu_out()
    {
        var run = new RunSample(0, Side.Baseline, 0, 120, 30, null, 0, new Dictionary<string, double>());

        Assert.Equal(30, ContentionEvidence.BusyWallMs(run with { Load = new RunLoad(1, 20, 95, 5, 90) }, 2));
        Assert.Null(ContentionEvidence.BusyWallMs(run with { Load = new RunLoad(1, 20, 95, 5, null) }, 2));
        Assert.Equal(120, ContentionEvidence.BusyWallMs(run with { Load = new RunLoad(1, 0, 2, 0.5, null) }, 2));
        Assert.Equal(120, ContentionEvidence.BusyWallMs(run, 2));
    }

    [Fact]
    public void A_summary_says_why_the_ratio_is_unknown()
    {
        var heavy = SimulatedRuns.Generate(ProgramKind.CpuBound, MachineState.Heavy, 5, 1, seed: 1, runQueueMeasured: false);

        var summary = ContentionEvidence.Summarize(heavy, 2);

        Assert.Null(summary.CpuOverBusyWall);
        Assert.Equal(10, summary.ContendedRuns);
        Assert.Equal("only 0 of 10 runs were uncontended (CPU pressure below 20%) and run-queue waits are not measured here", summary.Unmeasurable);
    }
}

public class WallTimeGuardTests
{
    static List<RunSample> Pairs(int pairs, Func<int, double> baselineWall, Func<int, double> candidateWall) =>
        [.. Enumerable.Range(0, pairs).SelectMany(i => new[]
        {
            new RunSample(i, Side.Baseline, 2 * i, baselineWall(i), 30, null, 0, new Dictionary<string, double>()),
            new RunSample(i, Side.Candidate, (2 * i) + 1, candidateWall(i), 25, null, 0, new Dictionary<string, double>()),
        })];

    static VerdictResult Improved(int pairs, double level) =>
        VerdictRule.Classify(new RatioEstimate(0.83, 0.8, 0.86, level, pairs), 5, MetricDirection.LowerIsBetter);

    [Fact]
    public void Wall_time_clearly_worse_beyond_the_threshold_contradicts_a_proxy_keep()
    {
        var samples = Pairs(6, i => 100 + i, i => 120 + (2 * i));

        var guard = WallTimeGuard.Check(samples, Improved(6, 0.9675), new SequentialDesign());

        Assert.True(guard.Contradicts);
        Assert.Equal(0.9675, guard.Wall.ConfidenceLevel);
        Assert.Contains("worse beyond the 5% threshold, contradicting the verdict", guard.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Noisy_or_slightly_worse_wall_time_does_not_contradict()
    {
        var random = new Random(5);
        var noisy = Pairs(6, _ => 100 * (1 + (3 * random.NextDouble())), _ => 100 * (1 + (3 * random.NextDouble())));
        var slightlyWorse = Pairs(6, i => 100 + i, i => 103 + i);

        Assert.False(WallTimeGuard.Check(noisy, Improved(6, 0.9675), new SequentialDesign()).Contradicts);
        var guard = WallTimeGuard.Check(slightlyWorse, Improved(6, 0.9675), new SequentialDesign());
        Assert.False(guard.Contradicts);
        Assert.Contains("not worse beyond 5%", guard.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deterministic_verdict_of_one_block_leaves_wall_time_without_an_interval()
    {
        var samples = Pairs(2, _ => 100, _ => 200);

        var guard = WallTimeGuard.Check(samples, Improved(2, 1), new SequentialDesign());

        Assert.False(guard.Contradicts);
        Assert.False(guard.Wall.IsBounded);
        Assert.Contains("(CI unbounded: 2 pairs cannot reach 96.75%)", guard.Text, StringComparison.Ordinal);
    }
}

public class LoadShiftDetectorTests
{
    static List<RunSample> Runs(int pairs, Func<int, RunLoad> load) =>
        [.. Enumerable.Range(0, 2 * pairs).Select(i => new RunSample(i / 2, i % 2 == 0 ? Side.Baseline : Side.Candidate, i, 30, 30, null, 0, new Dictionary<string, double>()) { Load = load(i / 2) })];

    [Fact]
    public void A_sharp_rise_of_pressure_during_the_verdict_is_said()
    {
        var shift = LoadShiftDetector.Detect(Runs(12, pair => new RunLoad(1, 5, pair < 6 ? 2 : 95, 1, 0)));

        Assert.NotNull(shift);
        Assert.Equal("CPU pressure rose from 2% to 95% during the verdict (first vs last third of the pairs)", shift.Text);
    }

    [Fact]
    public void Steady_load_short_verdicts_and_unknown_load_say_nothing()
    {
        Assert.Null(LoadShiftDetector.Detect(Runs(12, pair => new RunLoad(1, 5, 90 + (pair % 3), 5, 0))));
        Assert.Null(LoadShiftDetector.Detect(Runs(4, pair => new RunLoad(1, 5, pair < 2 ? 0 : 100, 5, 0))));
        Assert.Null(LoadShiftDetector.Detect(Runs(12, _ => RunLoad.None)));
    }

    [Fact]
    public void Without_pressure_the_load_average_is_compared()
    {
        var shift = LoadShiftDetector.Detect(Runs(9, pair => new RunLoad(1, 5, null, pair < 3 ? 6 : 1, null)));

        Assert.Equal("load average fell from 6.0 to 1.0 during the verdict (first vs last third of the pairs)", shift!.Text);
    }
}

public class InstructionCounterTests
{
    [Fact]
    public void Callgrind_output_gives_its_summary_else_its_totals()
    {
        Assert.Equal(260140114, InstructionCounter.ParseCallgrind("# callgrind format\nevents: Ir\nsummary: 260140114\n\nfl=x\n"));
        Assert.Equal(241153, InstructionCounter.ParseCallgrind("events: Ir\nfn=main\n1 5\ntotals: 241153\n"));
        Assert.Null(InstructionCounter.ParseCallgrind("events: Ir\n"));
    }

    [Fact]
    public void Perf_csv_gives_the_count_or_says_why_it_cannot()
    {
        Assert.Equal(1234567, InstructionCounter.ParsePerf("# started on Mon\n\n1234567,,instructions:u,801234,100.00,,\n"));
        var unsupported = Assert.Throws<MetricSourceException>(() => InstructionCounter.ParsePerf("# started\n\n<not supported>,,instructions:u,0,100.00,,\n"));
        Assert.Equal("perf stat could not count instructions (<not supported>)", unsupported.Message);
        Assert.Throws<MetricSourceException>(() => InstructionCounter.ParsePerf(""));
    }

    [Fact]
    public void The_counted_run_wraps_the_timed_command_and_every_process_it_starts()
    {
        var timed = new Perfloop.Processes.CommandSpec("./burn", ["-n", "5"], "/work") { Timeout = TimeSpan.FromSeconds(10) };

        var callgrind = InstructionCounter.Of(InstructionCounterKind.Callgrind).Wrap(timed, "/tmp/out");
        var perf = InstructionCounter.Of(InstructionCounterKind.Perf).Wrap(timed, "/tmp/out");

        Assert.Equal("valgrind", callgrind.FileName);
        Assert.Equal(["--tool=callgrind", "--trace-children=yes", "--callgrind-out-file=/tmp/out/callgrind.out.%p", "--log-file=/tmp/out/valgrind.%p.log", "./burn", "-n", "5"], callgrind.Arguments);
        Assert.Equal(TimeSpan.FromSeconds(1000), callgrind.Timeout);
        Assert.Equal("/work", callgrind.WorkingDirectory);
        Assert.Equal(["stat", "-x", ",", "-e", "instructions:u", "-o", "/tmp/out/perf.txt", "--", "./burn", "-n", "5"], perf.Arguments);
    }
}

public class InstructionCounterResolutionTests
{
    /// <summary>Answers the probes as a machine would: perf's CSV written where -o says, valgrind present or not.</summary>
    sealed class FakeMachine(string? perfCount, bool valgrind) : Perfloop.Processes.IProcessRunner
    {
        public List<string> Programs { get; } = [];

        public Task<Perfloop.Processes.ProcessResult> RunAsync(Perfloop.Processes.CommandSpec spec, CancellationToken cancellationToken = default)
        {
            Programs.Add(spec.FileName);
            if (spec.FileName == "perf")
            {
                if (perfCount is null)
                {
                    throw new Perfloop.Processes.ProcessStartException("perf", "No such file or directory");
                }

                var output = spec.Arguments[spec.Arguments.ToList().IndexOf("-o") + 1];
                File.WriteAllText(output, $"# started\n\n{perfCount},,instructions:u,100,100.00,,\n");
            }
            else if (!valgrind)
            {
                throw new Perfloop.Processes.ProcessStartException(spec.FileName, "No such file or directory");
            }

            return Task.FromResult(new Perfloop.Processes.ProcessResult(0, null, false, false, TimeSpan.Zero, null, null, null, [], [], 0, 0, "", false, false));
        }
    }

    static async Task<string> ErrorOf(FakeMachine machine, string setting) =>
        (await Assert.ThrowsAsync<Perfloop.Errors.PerfloopException>(() => InstructionCounter.ResolveAsync(machine, setting, Path.GetTempPath(), CancellationToken.None))).Message;

    [Fact]
    public async Task Auto_takes_perf_where_it_counts_else_callgrind()
    {
        var counting = await InstructionCounter.ResolveAsync(new FakeMachine("123456", valgrind: true), "auto", Path.GetTempPath(), CancellationToken.None);
        var vm = await InstructionCounter.ResolveAsync(new FakeMachine("<not supported>", valgrind: true), "auto", Path.GetTempPath(), CancellationToken.None);

        Assert.Equal(InstructionCounterKind.Perf, counting.Kind);
        Assert.Equal(InstructionCounterKind.Callgrind, vm.Kind);
    }

    [Fact]
    public async Task A_missing_or_unsupported_counter_is_one_line_naming_the_key_and_the_fix()
    {
        Assert.Equal("perfloop.json: $.measurement.instructionCounter: \"perf\" cannot be used: perf stat cannot count instructions on this machine (<not supported>: no hardware performance counters, as in most VMs); use \"callgrind\" (valgrind) instead",
            await ErrorOf(new FakeMachine("<not supported>", valgrind: true), "perf"));
        Assert.Equal("perfloop.json: $.measurement.instructionCounter: \"callgrind\" needs valgrind, which is not installed (Debian/Ubuntu: apt-get install valgrind)",
            await ErrorOf(new FakeMachine("1", valgrind: false), "callgrind"));
        Assert.Equal("perfloop.json: $.measurement.instructionCounter: no instruction counter works here: perf: perf is not installed; callgrind needs valgrind, which is not installed (Debian/Ubuntu: apt-get install valgrind)",
            await ErrorOf(new FakeMachine(null, valgrind: false), "auto"));
        Assert.DoesNotContain('\n', await ErrorOf(new FakeMachine(null, valgrind: false), "sometimes"));
    }
}
