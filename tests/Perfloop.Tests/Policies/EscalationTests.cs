using Perfloop.Configuration;
using Perfloop.Measurement;
using Perfloop.Policies;
using Perfloop.Tests.Measurement;

namespace Perfloop.Tests.Policies;

public class EscalationTests
{
    static readonly EscalationSettings Settings = new() { StartupCommand = "app --version" };

    [Fact]
    public void Each_measured_signal_suggests_its_domain_with_the_figures()
    {
        var findings = Escalation.Evaluate("cpu", new EscalationSignals
        {
            WallMs = 1000,
            CpuMs = 200,
            Runtime = new RuntimeFigures(1000, 250, 0),
            StartupMs = 700,
            Scaling = ScalingFit.Fit([1000, 2000, 4000], [10, 40, 160]),
        }, Settings);
        Assert.Equal(["memory", "async", "structure", "cpu (algorithm)"], findings.Select(f => f.Domain));
        Assert.Contains("GC pauses take 25%", findings[0].Signal);
        Assert.Contains("5x the CPU time", findings[1].Signal);
        Assert.Contains("70% of the benchmark", findings[2].Signal);
        Assert.Contains("n^2", findings[3].Signal);
        Assert.EndsWith("| suggests memory", findings[0].Reason);
        Assert.Contains("does not switch on its own", findings[0].Message("cpu"));
    }

    [Fact]
    public void Quiet_signals_and_other_domains_do_not_escalate()
    {
        var quiet = new EscalationSignals { WallMs = 1000, CpuMs = 900, Runtime = new RuntimeFigures(1000, 20, 0), StartupMs = 50, Scaling = ScalingFit.Fit([1, 2, 4], [10, 20, 40]) };
        Assert.Empty(Escalation.Evaluate("cpu", quiet, Settings));
        Assert.Empty(Escalation.Evaluate("memory", new EscalationSignals { WallMs = 1000, CpuMs = 100 }, Settings));
    }

    [Fact]
    public void The_scaling_fit_recovers_the_exponent()
    {
        Assert.Equal(1.0, ScalingFit.Fit([1000, 2000, 4000], [5, 10, 20]).Exponent, 6);
        Assert.Equal(2.0, ScalingFit.Fit([100, 200, 400, 800], [1, 4, 16, 64]).Exponent, 6);
    }

    [Fact]
    public void A_finding_recorded_in_the_session_is_not_repeated()
    {
        var finding = new EscalationFinding("wall_over_cpu", "waits", "async");
        Assert.Empty(Escalation.New([finding], [Rows.Baseline(), finding.ToRow(0, DateTimeOffset.UnixEpoch, "cpu", "wall_ms")]));
        Assert.Single(Escalation.New([finding], [Rows.Baseline()]));
    }
}

public class ContendedEscalationTests
{
    static readonly EscalationSettings Settings = new();

    static EscalationSignals Signals(ProgramKind kind, MachineState machine, bool runQueueMeasured)
    {
        var samples = SimulatedRuns.Generate(kind, machine, 10, 1, seed: 3, runQueueMeasured);
        return new EscalationSignals
        {
            WallMs = samples.Select(s => s.WallMs).Order().ElementAt(10),
            CpuMs = samples.Select(s => s.CpuMs!.Value).Order().ElementAt(10),
            OffCpu = Perfloop.Measurement.ContentionEvidence.Summarize(samples, SimulatedRuns.Cores),
        };
    }

    [Fact]
    public void A_cpu_bound_program_waiting_for_a_cpu_on_a_busy_machine_does_not_escalate()
    {
        var signals = Signals(ProgramKind.CpuBound, MachineState.Heavy, runQueueMeasured: true);

        Assert.True(signals.WallMs > 2 * signals.CpuMs, "the plain wall/CPU ratio would have fired");
        Assert.Empty(Escalation.Evaluate("cpu", signals, Settings));
        Assert.Empty(Escalation.Unmeasured("cpu", signals));
    }

    [Fact]
    public void A_program_that_really_waits_escalates_with_its_busy_wall_time()
    {
        var finding = Assert.Single(Escalation.Evaluate("cpu", Signals(ProgramKind.Waiting, MachineState.Heavy, runQueueMeasured: true), Settings));

        Assert.Equal("async", finding.Domain);
        Assert.Contains("wall time less its wait for a CPU", finding.Signal, StringComparison.Ordinal);
        Assert.Contains("median of 20 baseline runs", finding.Signal, StringComparison.Ordinal);
    }

    [Fact]
    public void With_every_run_contended_and_no_run_queue_wait_the_signal_is_said_unmeasured_not_fired()
    {
        var signals = Signals(ProgramKind.Waiting, MachineState.Heavy, runQueueMeasured: false);

        Assert.Empty(Escalation.Evaluate("cpu", signals, Settings));
        Assert.Equal(["whether the program mostly waits could not be measured: only 0 of 20 runs were uncontended (CPU pressure below 20%) and run-queue waits are not measured here"],
            Escalation.Unmeasured("cpu", signals));
    }

    /// <summary>
    /// The baseline of a 1 ms shell program beside four spinners, as samples.tsv recorded it: with the run-queue wait
    /// taken out, 2.5 ms of wall remain for 0.8 ms of CPU — Perfloop noticing the exit late, not the program waiting.
    /// </summary>
    [Fact]
    public void A_tiny_program_on_a_busy_machine_is_not_taken_for_one_that_waits()
    {
        (double Wall, double Cpu, double RunQueue)[] runs =
            [(6.44, 0.70, 2.34), (7.85, 0.90, 3.75), (11.22, 0.92, 10.29), (3.10, 0.71, 2.38), (16.89, 0.96, 12.91), (8.96, 1.03, 8.07), (6.43, 0.70, 2.42), (3.15, 0.74, 2.41)];
        var samples = runs.Select((r, i) => new RunSample(i / 2, i % 2 == 0 ? Side.Baseline : Side.Candidate, i, r.Wall, r.Cpu, 2, 0, new Dictionary<string, double>())
        {
            Load = new RunLoad(1, 2, 99.9, 6.0, r.RunQueue),
        }).ToList();
        var signals = new EscalationSignals { WallMs = 7.1, CpuMs = 0.8, OffCpu = Perfloop.Measurement.ContentionEvidence.Summarize(samples, SimulatedRuns.Cores) };

        Assert.True(signals.OffCpu!.MedianBusyWallMs > 2 * signals.OffCpu.MedianCpuMs, "the ratio alone would have fired");
        Assert.Empty(Escalation.Evaluate("cpu", signals, Settings));
        Assert.Single(Escalation.Evaluate("cpu", signals, Settings with { MinWaitMs = 1 }));
    }

    [Fact]
    public void Uncontended_runs_alone_still_show_a_waiting_program()
    {
        var finding = Assert.Single(Escalation.Evaluate("cpu", Signals(ProgramKind.Waiting, MachineState.Bursty, runQueueMeasured: false), Settings));

        Assert.Contains("median of 10 uncontended baseline runs", finding.Signal, StringComparison.Ordinal);
    }
}
