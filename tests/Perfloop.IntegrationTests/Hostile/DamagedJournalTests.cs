using Perfloop.Configuration;
using Perfloop.Experiments;
using Perfloop.IntegrationTests.Fixtures;
using Perfloop.Journal;

namespace Perfloop.IntegrationTests.Hostile;

/// <summary>
/// A damaged <c>.perfloop/experiment.json</c>: <c>run</c> refuses with one line pointing at <c>experiment abandon</c>,
/// and abandon really gets the user out (before, both said "run 'perfloop experiment abandon'"): the candidate's changes
/// kept as a diff, the tree back at HEAD, the damaged file kept as evidence, a crash row when the number is readable.
/// </summary>
public sealed class DamagedJournalTests
{
    static TempGitRepository RepositoryWithDamagedJournal(string journal)
    {
        var repo = ShellProject.Create();
        ShellProject.Neutral(repo, "0001.patch", "Neutral");
        // A candidate half-way: a changed file and a new one.
        repo.Write("app.sh", ShellProject.App.Replace("sleep 0.01", "sleep 0.02", StringComparison.Ordinal));
        repo.Write("lib/extra.sh", "# candidate\n");
        File.WriteAllText(ExperimentJournal.PathIn(repo.Root), journal);
        return repo;
    }

    [Theory]
    [InlineData("{ \"version\": 1, \"experiment\": 4, \"phase\": ")]
    [InlineData("{ \"version\": 1, \"experiment\": 4, \"preCommit\": \"abc\", \"phase\": \"exploding\", \"driver\": \"loop\", \"startedAt\": \"2026-01-01T00:00:00Z\" }")]
    [InlineData("{ \"experiment\": 4, \"preCommit\": 12 }")]
    public void Run_refuses_with_one_line_and_abandon_recovers_with_a_crash_row(string journal)
    {
        using var repo = RepositoryWithDamagedJournal(journal);
        var head = repo.Git("rev-parse", "HEAD").Trim();

        var run = PerfloopProcess.Run(repo.Root, "run", "--candidates", repo.Candidates);
        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("the experiment journal is damaged", line, StringComparison.Ordinal);
        Assert.Contains("perfloop experiment abandon", line, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", run.Stderr, StringComparison.Ordinal);

        var abandon = PerfloopProcess.Run(repo.Root, "experiment", "abandon");

        Assert.True(abandon.ExitCode == 0, abandon.Stderr);
        Assert.Contains("the journal of experiment 4 was damaged", abandon.Stdout + abandon.Stderr, StringComparison.Ordinal);
        Assert.Equal(head, repo.Git("rev-parse", "HEAD").Trim());
        ShellProject.AssertSafeEnd(repo);
        var row = ShellProject.Rows(repo).Single(r => r.Experiment == 4);
        Assert.Equal(ExperimentStatus.Crash, row.Status);
        var diff = File.ReadAllText(Path.Combine(PerfloopPaths.Experiment(repo.Root, 4), "candidate.diff"));
        Assert.Contains("lib/extra.sh", diff, StringComparison.Ordinal);
        Assert.Contains("sleep 0.02", diff, StringComparison.Ordinal);
        var evidence = Assert.Single(Directory.GetFiles(PerfloopPaths.StateDirectory(repo.Root), "experiment.json.damaged-*"));
        Assert.Equal(journal, File.ReadAllText(evidence));

        var next = PerfloopProcess.Run(repo.Root, "run", "--candidates", repo.Candidates);
        Assert.True(next.ExitCode == 0, next.Stderr);
    }

    [Fact]
    public void A_journal_without_a_readable_number_is_abandoned_without_a_row_and_its_diff_is_kept()
    {
        using var repo = RepositoryWithDamagedJournal("\0\0\0 not json at all");
        var rowsBefore = File.Exists(PerfloopPaths.Results(repo.Root)) ? ShellProject.Rows(repo).Count : 0;

        var abandon = PerfloopProcess.Run(repo.Root, "experiment", "abandon");

        Assert.True(abandon.ExitCode == 0, abandon.Stderr);
        ShellProject.AssertSafeEnd(repo);
        Assert.Equal(rowsBefore, File.Exists(PerfloopPaths.Results(repo.Root)) ? ShellProject.Rows(repo).Count : 0);
        var diff = Assert.Single(Directory.GetFiles(PerfloopPaths.StateDirectory(repo.Root), "abandoned-*.diff"));
        Assert.Contains("lib/extra.sh", File.ReadAllText(diff), StringComparison.Ordinal);
    }
}
