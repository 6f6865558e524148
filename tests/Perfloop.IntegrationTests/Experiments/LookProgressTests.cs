using Perfloop.Configuration;
using Perfloop.Experiments;
using Perfloop.Implementers;
using Perfloop.IntegrationTests.Fixtures;
using Perfloop.Processes;
using Perfloop.Sessions;

namespace Perfloop.IntegrationTests.Experiments;

/// <summary>A verdict that takes more than one look tells the user at each look why it keeps measuring.</summary>
public sealed class LookProgressTests
{
    [Fact]
    public async Task Each_look_without_a_verdict_is_reported_before_more_pairs_are_measured()
    {
        // Judged on the sleeps' total (SleepProgram), so the pattern below is exactly what each look sees, under any load.
        using var repo = ShellProject.Create(bench: SleepProgram.Bench, extraConfig: $"\"metric\": {{ \"name\": \"{SleepProgram.Metric}\", \"goal\": \"lower\" }}");
        var app = ShellProject.App.Replace("#!/bin/sh\n", "#!/bin/sh\n" + SleepProgram.Prelude, StringComparison.Ordinal) + SleepProgram.Report;
        repo.Write("app.sh", app);
        var counter = Path.Combine(Path.GetTempPath(), $"perfloop-look-{Guid.NewGuid():N}");
        try
        {
            // Looks at 6 and 10 pairs.
            var config = File.ReadAllText(ConfigStore.PathIn(repo.Root)).Replace(ShellProject.FastMeasurement,
                "\"measurement\": { \"warmupRuns\": 0, \"minRuns\": 6, \"maxRuns\": 10, \"calibrationRuns\": 4, \"maxSeconds\": 60 }", StringComparison.Ordinal);
            File.WriteAllText(ConfigStore.PathIn(repo.Root), config);
            repo.CommitAll("looks at 6 and 10 pairs");
            // Same output, but every other run of the candidate sleeps 10× the baseline's 10 ms and the others half of it
            // (a counter outside the tree): each block holds one of each, so no look can settle it.
            repo.MakeCandidate("0001-erratic.patch", "Erratic change", ["Target: app.sh", "Category: algorithm"], r => r.Write("app.sh",
                app.Replace("sleep 0.01", $"n=$(cat {counter} 2>/dev/null || echo 0); echo $((n + 1)) > {counter}; if [ $((n % 2)) -eq 0 ]; then sleep 0.1; else sleep 0.005; fi", StringComparison.Ordinal)));
            var reporter = new RecordingReporter();

            await new ExperimentSession(new EngineServices(new ProcessRunner(), reporter, TimeProvider.System))
                .RunAsync(new RunOptions(repo.Root, await PatchSeries.LoadAsync(repo.Candidates, new ProcessRunner())), CancellationToken.None);

            var experiment = Assert.Single(ShellProject.Rows(repo), r => r.IsExperiment);
            Assert.Equal(10, experiment.Pairs);
            var look = Assert.Single(reporter.Details, d => d.Contains("measuring more pairs", StringComparison.Ordinal));
            Assert.StartsWith($"[experiment {experiment.Experiment}] look 1 of 2, 6 pairs: Inconclusive", look, StringComparison.Ordinal);
            ShellProject.AssertSafeEnd(repo);
        }
        finally
        {
            File.Delete(counter);
        }
    }
}
