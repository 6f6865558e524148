using Perfloop.Experiments;
using Perfloop.Implementers;
using Perfloop.IntegrationTests.Fixtures;
using Perfloop.Processes;

namespace Perfloop.IntegrationTests.Experiments;

/// <summary>A verdict that takes more than one look tells the user at each look why it keeps measuring.</summary>
public sealed class LookProgressTests
{
    [Fact]
    public async Task Each_look_without_a_verdict_is_reported_before_more_pairs_are_measured()
    {
        // Two pairs cannot bound an interval, so the first look (of two: 2 and 4 pairs) never settles a no-op.
        using var repo = ShellProject.Create();
        ShellProject.Neutral(repo, "0001-neutral.patch", "Neutral change");
        var reporter = new RecordingReporter();

        await new ExperimentSession(new ProcessRunner(), reporter, TimeProvider.System)
            .RunAsync(new RunOptions(repo.Root, new PatchSeries(repo.Candidates)), CancellationToken.None);

        var experiment = Assert.Single(ShellProject.Rows(repo), r => r.IsExperiment);
        Assert.Equal(4, experiment.Runs);
        var look = Assert.Single(reporter.Details, d => d.Contains("look 1 of 2", StringComparison.Ordinal));
        Assert.StartsWith($"[experiment {experiment.Experiment}] look 1 of 2, 2 pairs: Inconclusive", look, StringComparison.Ordinal);
        Assert.EndsWith("; measuring more pairs", look, StringComparison.Ordinal);
        Assert.DoesNotContain(reporter.Details, d => d.Contains("look 2 of 2", StringComparison.Ordinal));
        ShellProject.AssertSafeEnd(repo);
    }
}
