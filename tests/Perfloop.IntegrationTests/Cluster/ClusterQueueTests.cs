using Perfloop.Cluster;
using Perfloop.Configuration;
using Perfloop.Experiments;
using Perfloop.Implementers;
using Perfloop.IntegrationTests.Fixtures;
using Perfloop.Journal;
using Perfloop.Processes;
using Perfloop.Sessions;

namespace Perfloop.IntegrationTests.Cluster;

/// <summary>
/// A queue of four candidates through the real one-node Slurm cluster, each job running <c>perfloop cluster-job</c>
/// on the node, against the same queue through the serial local loop. The verdicts are taken on a <c>METRIC work=N</c>
/// line the fixture prints, which no machine load can move (the e2e step is off: it judges wall time, which that
/// synthetic metric leaves unchanged, so its verdict would depend on the load).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ClusterQueueTests : IDisposable
{
    const string Bench = "#!/bin/sh\n. ./lib/work.sh\n. ./lib/saved.sh\nsh app.sh > /dev/null\necho \"METRIC work=$((WORK - SAVED))\"\n";
    const string App = "#!/bin/sh\nif [ \"$1\" = \"--edge\" ]; then echo \"edge ok\"; exit 0; fi\necho \"result 42\"\n";

    readonly TempGitRepository repo = new();
    readonly string slowCandidates;
    readonly string local;

    public ClusterQueueTests()
    {
        LocalSlurmCluster.Require();
        repo.Write("app.sh", App);
        repo.Write("bench.sh", Bench);
        repo.Write("lib/work.sh", "WORK=100\n");
        repo.Write("lib/saved.sh", "SAVED=0\n");
        repo.Write("check.sh", "#!/bin/sh\n[ \"$(sh app.sh --edge)\" = \"edge ok\" ] || { echo 'FAIL edge'; exit 1; }\necho pass\n");
        repo.Write(PerfloopConfig.FileName, """
            {
              "bench": "sh bench.sh",
              "build": "sh -n app.sh",
              "guard": "sh check.sh",
              "oracles": [ { "command": "sh app.sh" } ],
              "metric": { "name": "work", "goal": "lower" },
              "e2e": { "enabled": false },
              "measurement": { "warmupRuns": 0, "minRuns": 6, "maxRuns": 8, "calibrationRuns": 3, "maxSeconds": 60 },
              "timeouts": { "benchSeconds": 30, "buildSeconds": 30, "oracleSeconds": 300, "guardSeconds": 30 },
              "policies": { "rotateAfter": 1000, "plateauAfter": 1000, "stuckAfter": 1000, "stallWindow": 1000 },
              "executor": { "kind": "slurm", "jobs": 4, "partition": "local", "timeLimit": "10", "pollSeconds": 1 }
            }
            """);
        repo.CommitAll("program, bench and perfloop setup");
        repo.MakeCandidate("0001-half.patch", "Halve the work", ["Target: work", "Category: algorithm"], r => r.Write("lib/work.sh", "WORK=50\n"));
        repo.MakeCandidate("0002-wrong.patch", "Less work, wrong answer", ["Target: app", "Category: algorithm"],
            r => r.Write("app.sh", App.Replace("result 42", "result 41", StringComparison.Ordinal)));
        repo.MakeCandidate("0003-same.patch", "Rename a variable", ["Target: app", "Category: algorithm"],
            r => r.Write("app.sh", App.Replace("#!/bin/sh\n", "#!/bin/sh\n# tidy\n", StringComparison.Ordinal)));
        repo.MakeCandidate("0004-save.patch", "Save a fifth of the work", ["Target: work", "Category: caching"], r => r.Write("lib/saved.sh", "SAVED=20\n"));
        // A candidate whose oracle runs for 300 s (its timeout), so its job surely still runs when a test ends it from
        // outside, however long the scheduler takes to notice (a job that finishes first gives its own verdict, rightly).
        var slow = repo.MakeCandidate("0005-slow.patch", "Wait before answering", ["Target: app"],
            r => r.Write("app.sh", App.Replace("echo \"result 42\"", "sleep 600\necho \"result 42\"", StringComparison.Ordinal)));
        slowCandidates = repo.Candidates + "-slow";
        Directory.CreateDirectory(slowCandidates);
        File.Move(slow, Path.Combine(slowCandidates, Path.GetFileName(slow)));

        // The same repository for the local loop: a clone shares every commit.
        local = Path.Combine(Path.GetTempPath(), $"{Path.GetFileName(repo.Root)}-local");
        repo.Git("clone", "-q", repo.Root, local);
        foreach (var root in new[] { repo.Root, local })
        {
            File.AppendAllText(Path.Combine(root, ".git", "info", "exclude"), ".perfloop/\n");
            Directory.CreateDirectory(PerfloopPaths.StateDirectory(root));
        }
    }

    public void Dispose()
    {
        repo.Dispose();
        Directory.Delete(slowCandidates, recursive: true);
        if (Directory.Exists(local))
        {
            Directory.Delete(local, recursive: true);
        }
    }

    [Fact]
    public async Task Four_candidates_through_slurm_get_the_local_loops_verdicts_and_kept_changes()
    {
        var runner = new ProcessRunner();
        var patches = await PatchSeries.LoadAsync(repo.Candidates, runner);
        await new ExperimentSession(new EngineServices(runner, new RecordingReporter(), TimeProvider.System)).RunAsync(new RunOptions(local, patches), CancellationToken.None);
        var localRows = ResultsTable.Read(PerfloopPaths.Results(local)).Where(r => r.IsExperiment).ToList();

        var reporter = new RecordingReporter();
        await using var workspace = await ExperimentContext.OpenAsync(new EngineServices(runner, reporter, TimeProvider.System), repo.Root, "perfloop run --executor slurm", CancellationToken.None);
        var settings = workspace.Setup.Config.Executor! with { Command = ["dotnet", Path.Combine(AppContext.BaseDirectory, "Perfloop.Cli.dll")] };
        var patchFiles = (await PatchSeries.LoadAsync(repo.Candidates, runner)).Patches;
        var journal = await ClusterSession.RunAsync(workspace, patchFiles, repo.Candidates, settings, CancellationToken.None);
        var clusterRows = ResultsTable.Read(PerfloopPaths.Results(repo.Root)).Where(r => r.IsExperiment).ToList();

        var why = string.Join("\n", reporter.Lines.Concat(clusterRows.Select(r => $"{r.Summary}: {r.StatusText} — {r.Reason}")));
        Assert.True(journal.IsDone, why);
        why += "\nlocal:\n" + string.Join("\n", localRows.Select(r => $"{r.Summary}: {r.StatusText} — {r.Reason}"));
        Assert.True(localRows.Select(r => (r.Summary, r.Status)).SequenceEqual(clusterRows.Select(r => (r.Summary, r.Status))), why);
        Assert.True(
            clusterRows.Select(r => r.Status).SequenceEqual([ExperimentStatus.Keep, ExperimentStatus.Discard, ExperimentStatus.Discard, ExperimentStatus.Keep]),
            why);
        Assert.StartsWith("output mismatch", clusterRows[1].Reason, StringComparison.Ordinal);
        Assert.Equal(Reason(localRows[2]), Reason(clusterRows[2]));

        // The same changes kept, as the same tree, in as many commits.
        Assert.Equal(Git(local, "rev-parse", "HEAD^{tree}"), repo.Git("rev-parse", "HEAD^{tree}").Trim());
        Assert.Equal(Git(local, "rev-list", "--count", "HEAD"), repo.Git("rev-list", "--count", "HEAD").Trim());
        Assert.Contains("Perfloop-Experiment: ", repo.Git("log", "-1", "--format=%B"), StringComparison.Ordinal);
        Assert.Equal("", repo.Git("status", "--porcelain"));

        // All four were submitted at once on the first HEAD; the last was measured before the first was kept, so it
        // was re-verified on the new HEAD before its KEEP.
        Assert.All(journal.Candidates.Select(c => c.Attempts[0].Base), b => Assert.Equal(journal.Candidates[0].Attempts[0].Base, b));
        var last = journal.Candidates[3];
        Assert.Equal([JobPurpose.Evaluate, JobPurpose.Reverify], last.Attempts.Select(a => a.Purpose));
        Assert.Equal(journal.Candidates[0].Decision!.Commit, last.Attempts[1].Base);
        Assert.Contains("re-verified", clusterRows[3].Reason, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(PerfloopPaths.Experiment(repo.Root, clusterRows[0].Experiment), "samples.tsv")), "the job's raw samples are kept with its row");
        Assert.Equal(-50, clusterRows[0].DeltaPct!.Value, 1);
    }

    /// <summary>
    /// The coordinator dies right after sbatch accepted its third job, before it could journal the id (the worst
    /// moment: the job runs, the journal does not know its id). The next run over the same queue finds that job by its
    /// name, follows the jobs still running, never submits a job twice, and ends with the same verdicts.
    /// </summary>
    [Fact]
    public async Task A_coordinator_killed_after_sbatch_resumes_without_a_duplicate_job()
    {
        var runner = new ProcessRunner();
        var reporter = new RecordingReporter();
        await using var workspace = await ExperimentContext.OpenAsync(new EngineServices(runner, reporter, TimeProvider.System), repo.Root, "perfloop run --executor slurm", CancellationToken.None);
        var settings = workspace.Setup.Config.Executor! with { Command = ["dotnet", Path.Combine(AppContext.BaseDirectory, "Perfloop.Cli.dll")] };
        var slurm = new SlurmExecutor(new SlurmClient(runner, repo.Root), settings);
        var patchFiles = (await PatchSeries.LoadAsync(repo.Candidates, runner)).Patches;

        await Assert.ThrowsAsync<CoordinatorKilled>(() =>
            ClusterSession.RunAsync(workspace, patchFiles, repo.Candidates, settings, new DyingExecutor(slurm, dieAfterSubmission: 3), TimeSpan.FromSeconds(1), CancellationToken.None));
        var died = ClusterJson.Read<ClusterJournal>(new ClusterLayout(repo.Root, ClusterLayout.DefaultShared(repo.Root)).Journal)!;
        Assert.Null(died.Candidates[2].Attempts.Single().JobId);

        var journal = await ClusterSession.RunAsync(workspace, patchFiles, repo.Candidates, settings, slurm, TimeSpan.FromSeconds(1), CancellationToken.None);
        var rows = ResultsTable.Read(PerfloopPaths.Results(repo.Root)).Where(r => r.IsExperiment).ToList();
        var why = string.Join("\n", reporter.Lines.Concat(rows.Select(r => $"{r.Summary}: {r.StatusText} — {r.Reason}")));
        Assert.True(journal.IsDone, why);
        Assert.Equal(died.Run, journal.Run);
        Assert.True(rows.Select(r => r.Status).SequenceEqual([ExperimentStatus.Keep, ExperimentStatus.Discard, ExperimentStatus.Discard, ExperimentStatus.Keep]), why);
        Assert.Contains(reporter.Lines, l => l.StartsWith($"[cluster] resuming run {died.Run}", StringComparison.Ordinal));

        // Every job Slurm ever ran for this run is one journaled attempt: nothing was submitted twice.
        var names = SlurmJobNames().Where(n => n.StartsWith($"perfloop-{journal.Run}-", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(journal.Candidates.SelectMany(c => c.Attempts).Select(a => a.Name).Order(StringComparer.Ordinal), names);
    }

    static string[] SlurmJobNames()
    {
        var start = new System.Diagnostics.ProcessStartInfo("squeue") { RedirectStandardOutput = true };
        foreach (var argument in new[] { "--noheader", "--states=all", "--format=%j" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    sealed class CoordinatorKilled : Exception;

    /// <summary>Slurm's executor, except that the process "dies" the moment sbatch answered its Nth submission.</summary>
    sealed class DyingExecutor(ICandidateExecutor inner, int dieAfterSubmission) : ICandidateExecutor
    {
        int submissions;

        public string Name => inner.Name;

        public TimeSpan TimeLimit => inner.TimeLimit;

        public async Task<string> SubmitAsync(ClusterJobRequest request, string jobDirectory, CancellationToken cancellationToken)
        {
            var id = await inner.SubmitAsync(request, jobDirectory, cancellationToken);
            return ++submissions == dieAfterSubmission ? throw new CoordinatorKilled() : id;
        }

        public Task<IReadOnlyDictionary<string, JobStatus>> QueryAsync(IReadOnlyCollection<string> jobIds, CancellationToken cancellationToken) => inner.QueryAsync(jobIds, cancellationToken);

        public Task CancelAsync(string jobId, CancellationToken cancellationToken) => inner.CancelAsync(jobId, cancellationToken);

        public Task<string?> FindAsync(string jobName, CancellationToken cancellationToken) => inner.FindAsync(jobName, cancellationToken);
    }

    /// <summary>
    /// The real CLI, as a newcomer runs it from a checkout (`dotnet Perfloop.Cli.dll`, no perfloop on PATH): the jobs start
    /// that same Perfloop instead of failing with "perfloop: not found", and give the local loop's verdict.
    /// </summary>
    [Fact]
    public void Without_perfloop_on_path_the_jobs_start_the_perfloop_that_runs_the_loop()
    {
        Assert.Null(ExecutableSearch.Find("perfloop", repo.Root));
        var one = repo.Candidates + "-one";
        Directory.CreateDirectory(one);
        try
        {
            File.Copy(Path.Combine(repo.Candidates, "0001-half.patch"), Path.Combine(one, "0001-half.patch"));
            var result = PerfloopProcess.Run(repo.Root, "run", "--candidates", one, "--executor", "slurm", "--jobs", "1");
            Assert.True(result.ExitCode == 0, result.Stderr + result.Stdout);
            var row = ResultsTable.Read(PerfloopPaths.Results(repo.Root)).Last(r => r.IsExperiment);
            Assert.True(row.Status == ExperimentStatus.Keep, $"{row.StatusText}: {row.Reason}");
        }
        finally
        {
            Directory.Delete(one, recursive: true);
        }
    }

    [Fact]
    public async Task A_job_cancelled_with_scancel_becomes_a_crash_row_with_slurms_reason()
    {
        var (row, jobId) = await RunSlowCandidateAsync(async id =>
        {
            var (exit, output) = Run("scancel", id);
            Assert.True(exit == 0, output);
            await Task.CompletedTask;
        });
        Assert.Equal(ExperimentStatus.Crash, row.Status);
        Assert.StartsWith($"slurm job {jobId} ended CANCELLED on ", row.Reason, StringComparison.Ordinal);
        Assert.Equal("", repo.Git("status", "--porcelain"));
    }

    /// <summary>slurmd stopped under the job: Slurm marks it NODE_FAIL after SlurmdTimeout; the row says so, and once slurmd is back nothing of the job runs.</summary>
    [Fact]
    public async Task A_job_whose_slurmd_stopped_becomes_a_crash_row_and_leaves_nothing_running()
    {
        string? jobId = null;
        try
        {
            var (row, id) = await RunSlowCandidateAsync(_ => LocalSlurmCluster.StopSlurmdAsync());
            jobId = id;
            Assert.Equal(ExperimentStatus.Crash, row.Status);
            Assert.StartsWith($"slurm job {id} ended NODE_FAIL (NodeDown) on ", row.Reason, StringComparison.Ordinal);
        }
        finally
        {
            LocalSlurmCluster.Up();
        }

        // Back up, slurmd ends whatever of the failed job still ran on the node.
        var left = ProcessesOfJob(jobId!);
        for (var i = 0; i < 100 && left.Count > 0; i++)
        {
            await Task.Delay(100);
            left = ProcessesOfJob(jobId!);
        }

        Assert.True(left.Count == 0, $"processes of job {jobId} still run: {string.Join(", ", left)}");
    }

    /// <summary>Runs the slow candidate alone through the cluster; once its job is running, <paramref name="interfere"/> gets its id.</summary>
    async Task<(ResultRow Row, string JobId)> RunSlowCandidateAsync(Func<string, Task> interfere)
    {
        var runner = new ProcessRunner();
        await using var workspace = await ExperimentContext.OpenAsync(new EngineServices(runner, new RecordingReporter(), TimeProvider.System), repo.Root, "perfloop run --executor slurm", CancellationToken.None);
        var settings = workspace.Setup.Config.Executor! with { Command = ["dotnet", Path.Combine(AppContext.BaseDirectory, "Perfloop.Cli.dll")] };
        var slurm = new SlurmExecutor(new SlurmClient(runner, repo.Root), settings);
        var patches = (await PatchSeries.LoadAsync(slowCandidates, runner)).Patches;
        var session = ClusterSession.RunAsync(workspace, patches, slowCandidates, settings, slurm, TimeSpan.FromSeconds(1), CancellationToken.None);

        // Running means started on the node: Slurm says RUNNING as soon as it allocated the node, before slurmd has
        // launched the script (a failed launch is requeued even with --no-requeue), so wait for the job's first log line.
        var layout = new ClusterLayout(repo.Root, ClusterLayout.DefaultShared(repo.Root));
        string? id = null;
        for (var i = 0; i < 1200 && id is null; i++)
        {
            await Task.Delay(100);
            if (ClusterJson.Read<ClusterJournal>(layout.Journal) is { } journalSoFar
                && journalSoFar.Candidates[0].LastAttempt is { JobId: { } submitted } attempt
                && File.Exists(layout.Log(journalSoFar.Run, attempt.Name))
                && File.ReadAllText(layout.Log(journalSoFar.Run, attempt.Name)).Contains("perfloop job ", StringComparison.Ordinal))
            {
                id = submitted;
            }
        }

        Assert.NotNull(id);
        await interfere(id);
        var journal = await session;
        var row = ResultsTable.Read(PerfloopPaths.Results(repo.Root)).Last(r => r.IsExperiment);
        Assert.True(journal.IsDone);
        Assert.Equal("Wait before answering", row.Summary);
        return (row, id);
    }

    /// <summary>Processes whose environment says they belong to Slurm job <paramref name="jobId"/> (read from /proc, nothing is signalled).</summary>
    static List<int> ProcessesOfJob(string jobId)
    {
        var found = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }

            try
            {
                var environment = File.ReadAllText(Path.Combine(directory, "environ")).Split('\0');
                if (environment.Contains($"SLURM_JOB_ID={jobId}"))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return found;
    }

    static (int Exit, string Output) Run(string program, params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }

    static string Reason(ResultRow row) => row.Reason.Split(':')[0];

    static string Git(string root, params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo("git") { WorkingDirectory = root, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output.Trim();
    }
}
