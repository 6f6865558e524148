using Perfloop.Configuration;
using Perfloop.Experiments;
using Perfloop.Implementers;
using Perfloop.IntegrationTests.Fixtures;
using Perfloop.Journal;
using Perfloop.Processes;
using Perfloop.Sessions;

namespace Perfloop.IntegrationTests.Reliability;

/// <summary>
/// A run killed at each phase of an experiment, reproduced exactly: the journal and the tree as the killed
/// process left them. The next run must record the experiment once, keep its diff, restore the tree, and go
/// on with the next candidate instead of starting the patch queue over.
/// </summary>
public sealed class CrashRecoveryTests
{
    public static TheoryData<string> Moments() =>
    [
        "started", "implementing", "implemented", "checked", "benchmarked", "guarded", "deciding",
        "deciding-after-commit", "deciding-after-append",
    ];

    [Theory]
    [MemberData(nameof(Moments))]
    public async Task A_run_killed_at_any_moment_is_recovered_and_resumed_with_the_next_candidate(string moment)
    {
        using var repo = ShellProject.Create();
        ShellProject.Neutral(repo, "0001-first.patch", "First candidate");
        ShellProject.Neutral(repo, "0002-second.patch", "Second candidate");
        var head = repo.Git("rev-parse", "HEAD").Trim();
        var source = "patches:" + repo.Candidates;
        new RunMarker(source, 0, DateTimeOffset.UtcNow).Save(repo.Root);

        var phase = Enum.Parse<ExperimentPhase>(moment.Split('-')[0], ignoreCase: true);
        var state = new ExperimentState
        {
            Experiment = 0,
            PreCommit = head,
            Phase = phase,
            Driver = ExperimentDriver.Loop,
            StartedAt = DateTimeOffset.UtcNow,
            ProcessId = 999_999,
            Summary = "First candidate",
            Target = "app.sh",
            Category = "algorithm",
        };
        ExperimentJournal.Save(repo.Root, state);
        if (phase >= ExperimentPhase.Implementing)
        {
            repo.Write("lib/extra.sh", "# First candidate\n");
        }

        if (moment.Contains("after-commit", StringComparison.Ordinal) || moment.Contains("after-append", StringComparison.Ordinal))
        {
            repo.Git("add", "-A");
            repo.Git("commit", "-q", "-m", "First candidate\n\nPerfloop-Experiment: 0");
        }

        if (moment.Contains("after-append", StringComparison.Ordinal))
        {
            ResultsTable.Append(PerfloopPaths.Results(repo.Root), new ResultRow
            {
                Experiment = 0,
                Timestamp = DateTimeOffset.UtcNow,
                Domain = "cpu",
                Summary = "First candidate",
                Target = "app.sh",
                Status = ExperimentStatus.Keep,
                Commit = repo.Git("rev-parse", "HEAD").Trim(),
                Reason = "kept",
            });
        }

        var reporter = new RecordingReporter();
        var session = new ExperimentSession(new EngineServices(new ProcessRunner(), reporter, TimeProvider.System));
        await session.RunAsync(new RunOptions(repo.Root, await PatchSeries.LoadAsync(repo.Candidates, new ProcessRunner())) { CandidateSource = source }, CancellationToken.None);

        var rows = ShellProject.Rows(repo);
        Assert.Single(rows, r => r.Summary == "First candidate");
        Assert.Single(rows, r => r.Summary == "Second candidate");
        var first = rows.Single(r => r.Summary == "First candidate");
        if (moment.Contains("after", StringComparison.Ordinal))
        {
            Assert.Equal(ExperimentStatus.Keep, first.Status);
            Assert.Contains("Perfloop-Experiment: 0", repo.Git("log", "--format=%B"));
        }
        else
        {
            Assert.Equal(ExperimentStatus.Crash, first.Status);
            Assert.Contains($"during {phase.ToString().ToLowerInvariant()}", first.Reason);
            Assert.Equal(head, repo.Git("rev-parse", "HEAD").Trim());
            var diff = File.ReadAllText(Path.Combine(PerfloopPaths.Experiment(repo.Root, 0), "candidate.diff"));
            if (phase >= ExperimentPhase.Implementing)
            {
                Assert.Contains("lib/extra.sh", diff);
            }
        }

        Assert.Contains(reporter.Lines, l => l.Contains("resuming the interrupted run", StringComparison.Ordinal));
        Assert.False(File.Exists(RunMarker.PathIn(repo.Root)), "a finished run removes its resume marker");
        ShellProject.AssertSafeEnd(repo);
    }
}
