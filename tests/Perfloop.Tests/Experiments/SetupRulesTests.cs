using Perfloop.Configuration;
using Perfloop.Experiments;
using Perfloop.Journal;

namespace Perfloop.Tests.Experiments;

public class PreflightPlanTests
{
    [Fact]
    public void What_the_build_may_produce_is_checked_after_it_and_the_rest_before()
    {
        var config = new PerfloopConfig { Build = "cc -O2 -o work work.c", Bench = "./work --fast" };
        var checks = Preflight.Plan(config, "make test");
        Assert.Equal(
            [("cc", PreflightStage.BeforeBuild), ("./work", PreflightStage.AfterBuild), ("make", PreflightStage.BeforeBuild)],
            checks.Select(c => (c.Program, c.Stage)));
        Assert.Equal("perfloop.json: $.bench", checks[1].Where);
    }

    [Fact]
    public void Without_a_build_nothing_can_be_produced_so_everything_is_checked_first()
    {
        var checks = Preflight.Plan(new PerfloopConfig { Bench = "./bench.sh" }, guard: null);
        Assert.Equal([("./bench.sh", PreflightStage.BeforeBuild)], checks.Select(c => (c.Program, c.Stage)));
    }

    [Theory]
    [InlineData("./work --n 3", "./work")]
    [InlineData("FOO=1 python3 bench.py", "python3")]
    [InlineData("$HOME/bin/x", null)]
    [InlineData("cd sub && make", "cd")]
    public void The_program_of_a_simple_command_line(string line, string? program) => Assert.Equal(program, Preflight.ProgramOf(line));
}

public class TrustedFilesCompareTests
{
    [Fact]
    public void Added_changed_and_removed_files_are_all_named_in_path_order()
    {
        var recorded = new Dictionary<string, string> { ["conventions.md"] = "a", ["results.tsv"] = "b", ["experiments/1/samples.tsv"] = "c" };
        var now = new Dictionary<string, string> { ["conventions.md"] = "a2", ["results.tsv"] = "b", ["planted.txt"] = "d" };
        Assert.Equal(
            [new("conventions.md", "changed"), new("experiments/1/samples.tsv", "removed"), new TrustedFileChange("planted.txt", "added")],
            TrustedFiles.Compare(recorded, now));
        Assert.Empty(TrustedFiles.Compare(recorded, recorded));
    }

    [Theory]
    [InlineData("experiments/7/samples.tsv", true)]
    [InlineData("experiments/7/baseline/methodology.json", true)]
    [InlineData("experiment.json", true)]
    [InlineData("lock", true)]
    [InlineData("results.tsv.tmp", true)]
    [InlineData("experiments/6/samples.tsv", false)]
    [InlineData("conventions.md", false)]
    [InlineData("oracles/abc/capture-123.json", false)]
    public void Only_what_Perfloop_writes_during_the_experiment_is_left_out(string path, bool written) =>
        Assert.Equal(written, TrustedFiles.WrittenDuringExperiment(path, 7));
}

public class SessionLedgerNumberingTests
{
    static ResultRow Row(int n, ExperimentStatus status) => new() { Experiment = n, Timestamp = DateTimeOffset.UnixEpoch, Domain = "cpu", Status = status };

    [Fact]
    public void Experiments_are_numbered_without_gaps_across_sessions()
    {
        var ledger = SessionLedger.InMemory([]);
        Assert.Equal(0, ledger.LastNumber);
        ledger.Append(Row(ledger.LastNumber, ExperimentStatus.Baseline));
        Assert.Equal(1, ledger.NextExperimentNumber);
        ledger.Append(Row(1, ExperimentStatus.Keep));
        ledger.Append(Row(ledger.LastNumber, ExperimentStatus.Escalate));
        ledger.Append(Row(2, ExperimentStatus.Discard));
        // A second session: its baseline row carries the last experiment's number; its first experiment is the next.
        ledger.Append(Row(ledger.LastNumber, ExperimentStatus.Baseline));
        Assert.Equal(3, ledger.NextExperimentNumber);
        Assert.Equal(ExperimentStatus.Baseline, Assert.Single(ledger.CurrentSession).Status);
        Assert.Null(ResultsTable.DuplicateNumber(ledger.Rows));
        Assert.Equal(ExperimentStatus.Discard, ledger.Experiment(2)!.Status);
    }
}
