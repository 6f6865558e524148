using Perfloop.Configuration;
using Perfloop.Experiments;
using Perfloop.Implementers;
using Perfloop.Init;
using Perfloop.IntegrationTests.Fixtures;
using Perfloop.Journal;
using Perfloop.Policies;
using Perfloop.Processes;
using Perfloop.Sessions;

namespace Perfloop.IntegrationTests.Implementers;

/// <summary>
/// One real session over a queue of patches all made against one base, as a user writes them, judged on a metric
/// the program prints (<c>METRIC work=a+b+c+d</c>), which no load can move. The first patch (non-ASCII subject,
/// another author, a body) is kept; later ones need a 3-way apply on the kept commit; three wrong-output patches of
/// one strategy rotate it out, so that strategy's real speed-up goes to the back of the queue and is judged there;
/// two patches really do not apply (a conflict; blobs the repository lacks).
/// </summary>
public sealed class PatchQueueTests : IClassFixture<PatchQueueTests.Session>
{
    const string App = """
        #!/bin/sh
        # Four stages; the candidates cut their cost.
        a=400
        # (one unchanged line between two stages lets a 3-way merge keep both changes)
        b=300
        # (so do these)
        c=200
        # (and these)
        d=100
        # The output is kept apart from the stages.
        :
        :
        :
        echo "result 42"
        [ "$1" = "--metric" ] && echo "METRIC work=$((a + b + c + d))"
        exit 0
        """;

    const string ZoeSubject = "Stage a: O(n²) → O(n)";

    const string ZoeBody = "Stage a summed every prefix again; a running total does it once.\n\nTarget: app.sh stage a\nCategory: algorithm\nStrategy: algorithm";

    readonly Session session;

    public PatchQueueTests(Session session) => this.session = session;

    public sealed class Session : IAsyncLifetime
    {
        public TempGitRepository Repo { get; } = new();

        public RecordingReporter Reporter { get; } = new();

        public IReadOnlyList<ResultRow> Rows => ResultsTable.Read(PerfloopPaths.Results(Repo.Root));

        public string Base { get; private set; } = "";

        public async Task InitializeAsync()
        {
            var runner = new ProcessRunner();
            Base = await CreateAsync(Repo);

            MakePatch("01-stage-a.patch", $"{ZoeSubject}\n\n{ZoeBody}", "a=400", "a=40", "Zoë Ångström <zoe@example.com>", "2020-01-02T03:04:05+01:30");
            MakePatch("02-stage-b.patch", "Cut stage b\n\nStrategy: algorithm", "b=300", "b=30");
            MakePatch("03-wrong-1.patch", "Cache the result (wrong)\n\nStrategy: caching", "result 42", "result 41");
            MakePatch("04-wrong-2.patch", "Cache more (wrong)\n\nStrategy: caching", "result 42", "result 40");
            MakePatch("05-wrong-3.patch", "Cache everything (wrong)\n\nStrategy: caching", "result 42", "result 39");
            MakePatch("06-stage-c.patch", "Cache stage c\n\nStrategy: caching", "c=200", "c=20");
            var conflicting = MakePatch("07-conflict.patch", "Cut stage a another way\n\nStrategy: algorithm", "a=400", "a=50");
            MakePatch("08-stage-d.patch", "Shave stage d\n\nStrategy: loops", "d=100", "d=99");
            // The same change as made in another repository: its index lines name blobs this one has never seen.
            var foreign = System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(conflicting), "(?m)^index [0-9a-f]+\\.\\.[0-9a-f]+", "index 0123456..89abcde")
                .Replace("Cut stage a another way", "Cut stage a from elsewhere", StringComparison.Ordinal);
            File.WriteAllText(Path.Combine(Repo.Candidates, "09-foreign.patch"), foreign);

            var loop = new ExperimentSession(new EngineServices(runner, Reporter, TimeProvider.System));
            await loop.RunAsync(new RunOptions(Repo.Root, await PatchSeries.LoadAsync(Repo.Candidates, runner)) { WithoutGuard = true }, CancellationToken.None);
        }

        /// <summary>The four-stage program with a perfloop setup judging on its <c>work</c> metric; returns the base commit.</summary>
        public static async Task<string> CreateAsync(TempGitRepository repo)
        {
            repo.Write("app.sh", App + "\n");
            repo.CommitAll("program");
            await ProjectInitializer.InitAsync(new ProcessRunner(), new InitOptions(repo.Root, "sh app.sh --metric") { Build = "sh -n app.sh", Oracles = ["sh app.sh"] }, CancellationToken.None);
            var config = ConfigStore.Load(repo.Root);
            ConfigStore.Save(repo.Root, config with
            {
                Metric = new MetricSettings { Name = "work", Goal = "lower" },
                Measurement = config.Measurement with { WarmupRuns = 0, MinRuns = 6, MaxRuns = 16, CalibrationRuns = 6 },
                EndToEnd = new EndToEndSettings { Enabled = false },
                // Rotation stays at its default (3); the other policies would stop this long run of discards early.
                Policies = config.Policies with { PlateauAfter = 1000, StuckAfter = 1000, StallWindow = 1000, MilestoneEvery = 5, DiminishingKeeps = 1000 },
            });
            repo.CommitAll("perfloop config");
            return repo.Git("rev-parse", "HEAD").Trim();
        }

        /// <summary>A format-patch file of one edit of app.sh made on the base commit, by <paramref name="author"/> when given.</summary>
        string MakePatch(string fileName, string message, string from, string to, string? author = null, string? date = null)
        {
            Repo.Git("checkout", "-q", "-b", "candidate-" + Path.GetFileNameWithoutExtension(fileName), Base);
            Repo.Write("app.sh", Repo.Read("app.sh").Replace(from, to, StringComparison.Ordinal));
            Repo.Git(["commit", "-q", "-a", "-m", message, .. author is null ? Array.Empty<string>() : [$"--author={author}", $"--date={date}"]]);
            var path = Path.Combine(Repo.Candidates, fileName);
            File.WriteAllText(path, Repo.Git("format-patch", "-1", "--stdout"));
            Repo.Git("checkout", "-q", "main");
            return path;
        }

        public Task DisposeAsync()
        {
            Repo.Dispose();
            return Task.CompletedTask;
        }
    }

    ResultRow Row(string summary) => session.Rows.Single(r => r.IsExperiment && r.Summary == summary);

    [Fact]
    public void Every_patch_made_against_the_base_gets_a_measured_verdict_after_an_early_keep()
    {
        Assert.Equal(ExperimentStatus.Keep, Row(ZoeSubject).Status);
        Assert.Equal(ExperimentStatus.Keep, Row("Cut stage b").Status);
        Assert.Equal(ExperimentStatus.Keep, Row("Cache stage c").Status);
        var shave = Row("Shave stage d");
        Assert.Equal(ExperimentStatus.Discard, shave.Status);
        foreach (var measured in new[] { Row(ZoeSubject), Row("Cut stage b"), Row("Cache stage c"), shave })
        {
            // The work metric is deterministic, so one block of pairs (2) decides exactly; never a verdict without samples.
            Assert.True(measured.Pairs >= 2, $"{measured.Summary}: {measured.Pairs} pairs: {measured.Reason}");
            Assert.DoesNotContain("does not apply", measured.Reason, StringComparison.Ordinal);
        }

        // 1000 → 640 → 370 → 190: each keep measured on the commit the previous one made.
        Assert.Equal([1000.0, 640.0, 370.0], new[] { ZoeSubject, "Cut stage b", "Cache stage c" }.Select(s => Row(s).Baseline!.Value));
        Assert.Equal(190.0, Row("Cache stage c").Candidate);
        Assert.Contains("c=20\n", session.Repo.Read("app.sh"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_detail_line_says_which_way_each_patch_applied()
    {
        string Applied(string summary) => session.Reporter.Details.Single(l => l.StartsWith($"[experiment {Row(summary).Experiment}] patch applied", StringComparison.Ordinal));
        Assert.Contains("as it is (git apply)", Applied(ZoeSubject), StringComparison.Ordinal);
        Assert.Contains("3-way merge", Applied("Cut stage b"), StringComparison.Ordinal);
        Assert.Contains("3-way merge", Applied("Cache stage c"), StringComparison.Ordinal);
        Assert.Contains("as it is (git apply)", Applied("Shave stage d"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_patch_that_really_does_not_apply_names_the_hunk_and_is_kept_as_the_candidate_diff()
    {
        var conflict = Row("Cut stage a another way");
        Assert.Equal(ExperimentStatus.Discard, conflict.Status);
        Assert.Equal("patch does not apply: app.sh: hunk @@ -1,6 +1,6 @@ (line 1) does not match the file; a 3-way merge conflicts in app.sh", conflict.Reason);
        var kept = Path.Combine(PerfloopPaths.Experiment(session.Repo.Root, conflict.Experiment), "candidate.diff");
        Assert.Equal(File.ReadAllText(Path.Combine(session.Repo.Candidates, "07-conflict.patch")), File.ReadAllText(kept));
        Assert.Contains(session.Reporter.Details, l => l.EndsWith($"candidate diff kept in .perfloop/experiments/{conflict.Experiment}/candidate.diff", StringComparison.Ordinal));

        var foreign = Row("Cut stage a from elsewhere");
        Assert.StartsWith("patch does not apply: app.sh: hunk @@ -1,6 +1,6 @@ (line 1) does not match the file; no 3-way merge: the blobs on its index lines are not in this repository", foreign.Reason, StringComparison.Ordinal);

        // Neither left a conflict marker or a staged change behind.
        Assert.Equal("", session.Repo.Git("status", "--porcelain"));
        Assert.DoesNotContain("<<<<<<<", session.Repo.Read("app.sh"), StringComparison.Ordinal);
    }

    [Fact]
    public void The_verdict_verb_says_why_a_patch_that_does_not_apply_has_no_samples()
    {
        var conflict = Row("Cut stage a another way");
        var result = PerfloopProcess.Run(session.Repo.Root, "verdict", conflict.Experiment.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"experiment {conflict.Experiment} was discarded before measuring: {conflict.Reason}; it has no samples, so there is no verdict to recompute", result.Stderr.Trim().Replace("perfloop: ", "", StringComparison.Ordinal));
    }

    [Fact]
    public void The_keep_commit_has_the_patch_s_decoded_subject_author_date_and_body_with_Perfloop_s_trailers()
    {
        var row = Row(ZoeSubject);
        Assert.Equal(ZoeSubject, row.Summary);
        Assert.Equal("app.sh stage a", row.Target);
        var commit = session.Repo.Git("log", "-1", "--date=iso-strict", "--format=%s%n%an%n%ae%n%ad%n%cn%n%ce", row.Commit).Split('\n');
        Assert.Equal([ZoeSubject, "Zoë Ångström", "zoe@example.com", "2020-01-02T03:04:05+01:30", "Dev", "dev@example.com"], commit[..6]);
        var body = session.Repo.Git("log", "-1", "--format=%b", row.Commit);
        Assert.StartsWith("Stage a summed every prefix again; a running total does it once.\n\nMeasured by Perfloop: ", body, StringComparison.Ordinal);
        var trailers = session.Repo.Git("log", "-1", "--format=%(trailers:only=true,unfold=true)", row.Commit).Trim().Split('\n');
        Assert.Equal(["Target: app.sh stage a", "Category: algorithm", "Strategy: algorithm", "Perfloop-Experiment: 1"], trailers[..4]);
        Assert.StartsWith("Perfloop-Metric: work 1000", trailers[4], StringComparison.Ordinal);

        // A patch by the local user keeps the local author, its own date and its one-line body.
        var local = session.Repo.Git("log", "-1", "--format=%an|%cn|%(trailers:key=Strategy,valueonly)", Row("Cut stage b").Commit).Trim();
        Assert.Equal("Dev|Dev|algorithm", local);
    }

    [Fact]
    public void A_rotated_out_strategy_s_patch_is_judged_at_the_back_of_the_queue_not_skipped()
    {
        Assert.DoesNotContain(session.Rows, r => r.Status == ExperimentStatus.Event && r.Target == PolicyEvents.Skip);
        Assert.Contains(session.Rows, r => r.Status == ExperimentStatus.Event && r.Target == PolicyEvents.Rotate && r.Strategy == "caching");
        Assert.Contains(session.Reporter.Lines, l => l.StartsWith("[session] 'Cache stage c' moved to the back of the queue: strategy 'caching' was rotated out", StringComparison.Ordinal));
        Assert.Contains("[session] judging 'Cache stage c' from the back of the queue, though strategy 'caching' is rotated out", session.Reporter.Lines);
        var order = session.Rows.Where(r => r.IsExperiment).Select(r => r.Summary).ToList();
        Assert.Equal(
            [ZoeSubject, "Cut stage b", "Cache the result (wrong)", "Cache more (wrong)", "Cache everything (wrong)", "Cut stage a another way", "Shave stage d", "Cut stage a from elsewhere", "Cache stage c"],
            order);
    }

    [Fact]
    public void Skip_rotated_goes_with_a_patch_queue_only()
    {
        var result = PerfloopProcess.Run(session.Repo.Root, "run", "--knobs", "--skip-rotated");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--skip-rotated goes with --candidates", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_author_and_body_are_journaled_so_a_keep_decided_by_another_process_keeps_them()
    {
        using var repo = new TempGitRepository();
        await Session.CreateAsync(repo);
        repo.Write("app.sh", repo.Read("app.sh").Replace("b=300", "b=30", StringComparison.Ordinal));
        repo.Git("commit", "-q", "-a", "-m", "Stage b: précalcul\n\nWhy it is faster.\n\nStrategy: caching", "--author=Zoë <zoe@example.com>", "--date=2021-03-04T05:06:07-08:00");
        var patch = Path.Combine(repo.Candidates, "b.patch");
        File.WriteAllText(patch, repo.Git("format-patch", "-1", "--stdout"));
        repo.Git("reset", "-q", "--hard", "HEAD~1");

        var candidate = (await PatchFile.ReadAsync(patch, new ProcessRunner())).ToCandidate();
        await Perfloop.UseCases.ExperimentSteps.StartAsync(new EngineServices(new ProcessRunner(), new RecordingReporter(), TimeProvider.System), new Perfloop.UseCases.StartExperimentOptions(repo.Root, candidate) { WithoutGuard = true }, CancellationToken.None);
        repo.Git("apply", patch);
        var decide = PerfloopProcess.Run(repo.Root, "experiment", "decide");

        Assert.True(decide.ExitCode == 0, decide.Stderr);
        var commit = repo.Git("log", "-1", "--date=iso-strict", "--format=%s|%an|%ae|%ad|%cn%n%(trailers:key=Strategy,valueonly)%(trailers:key=Perfloop-Experiment)%n%b").Split('\n');
        Assert.Equal(["Stage b: précalcul|Zoë|zoe@example.com|2021-03-04T05:06:07-08:00|Dev", "caching", "Perfloop-Experiment: 1"], commit[..3]);
        Assert.StartsWith("Why it is faster.\n\nMeasured by Perfloop: ", string.Join('\n', commit[4..]), StringComparison.Ordinal);
    }
}
