using System.Text.Json;
using Perfloop.Configuration;
using Perfloop.IntegrationTests.Fixtures;
using Perfloop.Journal;
using Perfloop.Measurement;

namespace Perfloop.IntegrationTests.Experiments;

/// <summary>A baseline row fixes how verdicts are measured; a changed perfloop.json gets a new baseline, never the old threshold.</summary>
public sealed class MethodologyTests
{
    [Fact]
    public void A_changed_bench_starts_a_new_baseline_row_and_old_verdicts_keep_their_design()
    {
        using var repo = ShellProject.Create();
        Step(repo, "experiment", "start", "--target", "app.sh");
        Step(repo, "experiment", "abandon");
        var first = Assert.Single(ShellProject.Rows(repo), r => r.Status == ExperimentStatus.Baseline);
        var fixedThen = Methodology.Load(repo.Root, first.Experiment);
        Assert.NotNull(fixedThen);
        Assert.Equal("sh app.sh", fixedThen.Bench);
        Assert.Equal(fixedThen.Fingerprint, first.Extra[ResultsTable.MethodologyColumn]);

        // Same methodology: the next start reuses the calibrated threshold, no second baseline.
        Step(repo, "experiment", "start", "--target", "app.sh");
        Step(repo, "experiment", "abandon");
        Assert.Single(ShellProject.Rows(repo), r => r.Status == ExperimentStatus.Baseline);

        // A different benchmark and more calibration pairs, committed as the loop requires.
        var config = File.ReadAllText(ConfigStore.PathIn(repo.Root))
            .Replace("\"bench\": \"sh app.sh\"", "\"bench\": \"sh app.sh --twice\"", StringComparison.Ordinal)
            .Replace("\"calibrationRuns\": 3", "\"calibrationRuns\": 6", StringComparison.Ordinal);
        File.WriteAllText(ConfigStore.PathIn(repo.Root), config);
        repo.CommitAll("bench twice");

        var status = Step(repo, "status");
        Assert.Equal(JsonValueKind.Null, status.GetProperty("thresholdPct").ValueKind);
        var change = status.GetProperty("methodologyChange").GetString();
        Assert.Equal($"baseline {first.Experiment}: bench 'sh app.sh' → 'sh app.sh --twice'; measurement.calibrationRuns 3 → 6", change);

        var start = PerfloopProcess.Run(repo.Root, "experiment", "start", "--target", "app.sh", "--json");
        Assert.Equal(0, start.ExitCode);
        Assert.Contains($"the measurement methodology changed since {change}", start.Stderr, StringComparison.Ordinal);
        Step(repo, "experiment", "abandon");

        var baselines = ShellProject.Rows(repo).Where(r => r.Status == ExperimentStatus.Baseline).ToList();
        Assert.Equal(2, baselines.Count);
        Assert.Equal(6, baselines[1].Pairs);
        Assert.Equal("sh app.sh --twice", Methodology.Load(repo.Root, baselines[1].Experiment)!.Bench);

        // The first baseline's verdict is replayed with the design it was measured with (3 pairs, rounded up to 2 blocks
        // of 2), not today's 6.
        var replay = PerfloopProcess.Run(repo.Root, "verdict", first.Experiment.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json");
        Assert.True(replay.ExitCode == 0, replay.Stderr);
        // Under today's design of 6 pairs, 4 pairs would read as a run cut short by its budget.
        Assert.StartsWith("final look (maximum pairs reached), 4 pairs", JsonDocument.Parse(replay.Stdout).RootElement.GetProperty("why").GetString(), StringComparison.Ordinal);
        ShellProject.AssertSafeEnd(repo);
    }

    static JsonElement Step(TempGitRepository repo, params string[] arguments)
    {
        var result = PerfloopProcess.Run(repo.Root, [.. arguments, "--json"]);
        Assert.True(result.ExitCode == 0, $"perfloop {string.Join(' ', arguments)} exited {result.ExitCode}: {result.Stderr}");
        return JsonDocument.Parse(result.Stdout).RootElement;
    }
}
