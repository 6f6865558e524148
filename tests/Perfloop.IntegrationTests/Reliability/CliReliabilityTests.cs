using System.Diagnostics;
using System.Globalization;
using Perfloop.Configuration;
using Perfloop.IntegrationTests.Fixtures;
using Perfloop.Journal;
using Xunit.Abstractions;

namespace Perfloop.IntegrationTests.Reliability;

/// <summary>The real CLI under pressure: signals, a second loop, stale locks, hung and noisy commands, dirty trees, secrets.</summary>
public sealed class CliReliabilityTests(ITestOutputHelper output)
{
    static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    /// <summary>Bench that becomes slow (not hung) for the candidate, so the test can interrupt it mid-benchmark.</summary>
    const string SlowForCandidateBench = "sh app.sh; [ -f lib/extra.sh ] && sleep 3; true";

    [Fact]
    public void While_a_run_benchmarks_a_second_run_refuses_and_CtrlC_ends_the_experiment_cleanly_with_exit_130()
    {
        using var repo = ShellProject.Create(bench: SlowForCandidateBench);
        ShellProject.Neutral(repo, "0001-slow.patch", "Slow to measure");
        var head = repo.Git("rev-parse", "HEAD").Trim();
        using var run = PerfloopProcess.Start(repo.Root, null, "run", "--candidates", repo.Candidates);
        Assert.True(run.WaitForOutput("[experiment 1] Benchmarking...", Patience), run.StdoutSoFar);

        var second = PerfloopProcess.Run(repo.Root, "run", "--candidates", repo.Candidates);
        Assert.Equal(2, second.ExitCode);
        Assert.Contains($"another perfloop is working in this repository: process {run.Pid}", second.Stderr);
        Assert.Single(second.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        run.Signal("INT");
        var result = run.WaitForExit(Patience);
        Assert.Equal(130, result.ExitCode);
        Assert.DoesNotContain("   at ", result.Stderr);
        var row = ShellProject.Rows(repo).Single(r => r.Summary == "Slow to measure");
        Assert.Equal(ExperimentStatus.Crash, row.Status);
        Assert.Contains("interrupted by the user", row.Reason);
        Assert.Equal(head, repo.Git("rev-parse", "HEAD").Trim());
        Assert.Contains("lib/extra.sh", File.ReadAllText(Path.Combine(PerfloopPaths.Experiment(repo.Root, row.Experiment), "candidate.diff")));
        ShellProject.AssertSafeEnd(repo);
        Assert.False(File.Exists(Path.Combine(PerfloopPaths.StateDirectory(repo.Root), "lock")));
    }

    [Fact]
    public void A_detached_HEAD_works_and_says_so()
    {
        using var repo = ShellProject.Create();
        ShellProject.Neutral(repo, "0001.patch", "Neutral");
        repo.Git("checkout", "-q", "--detach");
        var result = PerfloopProcess.Run(repo.Root, "run", "--candidates", repo.Candidates);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("on detached HEAD", result.Stdout);
        ShellProject.AssertSafeEnd(repo);
    }

    [Fact]
    public void A_stale_lock_of_a_dead_process_is_taken_over_with_a_notice()
    {
        using var repo = ShellProject.Create();
        ShellProject.Neutral(repo, "0001.patch", "Neutral");
        using var gone = Process.Start("true")!;
        gone.WaitForExit();
        File.WriteAllText(Path.Combine(PerfloopPaths.StateDirectory(repo.Root), "lock"),
            string.Create(CultureInfo.InvariantCulture, $"pid={gone.Id}\nhost={Environment.MachineName}\npurpose=perfloop run\nsince=2020-01-01T00:00:00Z\n"));

        var result = PerfloopProcess.Run(repo.Root, "run", "--candidates", repo.Candidates);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"took over a stale lock of process {gone.Id}", result.Stdout + result.Stderr);
        ShellProject.AssertSafeEnd(repo);
    }

    [Fact]
    public void A_bench_that_leaves_sleeping_grandchildren_leaves_nothing_behind()
    {
        var pids = Path.Combine(Path.GetTempPath(), $"perfloop-grandchildren-{Guid.NewGuid():N}.txt");
        try
        {
            using var repo = ShellProject.Create(bench: $"sh app.sh; (sleep 300 & echo $! >> {pids}); true", guard: $"sh check.sh; (sleep 300 & echo $! >> {pids}); true");
            ShellProject.Neutral(repo, "0001.patch", "Neutral");
            var result = PerfloopProcess.Run(repo.Root, "run", "--candidates", repo.Candidates);
            Assert.Equal(0, result.ExitCode);
            var left = File.ReadAllLines(pids).Where(p => p.Length > 0).Select(int.Parse).ToList();
            Assert.NotEmpty(left);
            Thread.Sleep(200);
            Assert.All(left, pid => Assert.False(Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal), $"sleep {pid} still runs"));
            ShellProject.AssertSafeEnd(repo);
        }
        finally
        {
            File.Delete(pids);
        }
    }

    [Fact]
    public void A_bench_that_hangs_hits_its_timeout_and_the_candidate_ends_as_a_crash_row_with_the_tree_restored()
    {
        using var repo = ShellProject.Create(bench: "sh app.sh; [ -f lib/extra.sh ] && sleep 120; true");
        var config = File.ReadAllText(Path.Combine(repo.Root, PerfloopConfig.FileName)).Replace("\"benchSeconds\": 20", "\"benchSeconds\": 2", StringComparison.Ordinal);
        repo.Write(PerfloopConfig.FileName, config);
        repo.CommitAll("short bench timeout");
        ShellProject.Neutral(repo, "0001.patch", "Hangs the benchmark");
        var head = repo.Git("rev-parse", "HEAD").Trim();
        var watch = Stopwatch.StartNew();
        var result = PerfloopProcess.Run(repo.Root, "run", "--candidates", repo.Candidates);
        Assert.Equal(0, result.ExitCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"took {watch.Elapsed}");
        var row = ShellProject.Rows(repo).Single(r => r.Summary == "Hangs the benchmark");
        Assert.Equal(ExperimentStatus.Crash, row.Status);
        Assert.Contains("timed out after 2s", row.Reason);
        Assert.Equal(head, repo.Git("rev-parse", "HEAD").Trim());
        ShellProject.AssertSafeEnd(repo);
    }

    [Fact]
    public void A_bench_printing_hundreds_of_megabytes_does_not_grow_perfloop_s_memory()
    {
        const string loud = "sh app.sh; [ -f lib/extra.sh ] && head -c 300000000 /dev/zero | tr '\\0' x; true";
        var quietPeak = PeakRssOfRun("sh app.sh; [ -f lib/extra.sh ] && head -c 1000 /dev/zero | tr '\\0' x; true");
        var loudPeak = PeakRssOfRun(loud);
        output.WriteLine($"perfloop peak RSS: quiet bench {quietPeak / 1048576.0:0.0} MB, 300 MB-per-run bench {loudPeak / 1048576.0:0.0} MB");
        Assert.True(loudPeak < 150L << 20, $"peak RSS {loudPeak / 1048576.0:0.0} MB");
        Assert.True(loudPeak < quietPeak + (40L << 20), $"loud {loudPeak / 1048576.0:0.0} MB vs quiet {quietPeak / 1048576.0:0.0} MB");
    }

    static long PeakRssOfRun(string bench)
    {
        using var repo = ShellProject.Create(bench: bench);
        ShellProject.Neutral(repo, "0001.patch", "Prints a lot");
        using var run = PerfloopProcess.Start(repo.Root, null, "run", "--candidates", repo.Candidates);
        long peak = 0;
        var deadline = DateTime.UtcNow + Patience;
        while (!run.StdoutSoFar.Contains("done:", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            peak = Math.Max(peak, run.PeakRssBytes());
            Thread.Sleep(25);
        }

        peak = Math.Max(peak, run.PeakRssBytes());
        var result = run.WaitForExit(Patience);
        Assert.Equal(0, result.ExitCode);
        Assert.True(peak > 0);
        return peak;
    }

    [Fact]
    public void Allow_dirty_sets_the_user_s_changes_aside_and_gives_them_back()
    {
        using var repo = ShellProject.Create();
        ShellProject.Neutral(repo, "0001.patch", "Neutral");
        repo.Write("README.txt", "my unsaved edit\n");
        repo.Write("notes/mine.txt", "my untracked notes\n");
        var result = PerfloopProcess.Run(repo.Root, "run", "--candidates", repo.Candidates, "--allow-dirty");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("set aside your uncommitted changes", result.Stdout);
        Assert.Contains("gave back your uncommitted changes", result.Stdout);
        Assert.Equal("my unsaved edit\n", repo.Read("README.txt"));
        Assert.Equal("my untracked notes\n", repo.Read("notes/mine.txt"));
        Assert.Equal("", repo.Git("stash", "list"));
        Assert.Single(ShellProject.Rows(repo), r => r.Summary == "Neutral");
    }

    [Fact]
    public void Allow_dirty_changes_come_back_after_CtrlC_and_after_a_kill_on_the_next_run()
    {
        using var repo = ShellProject.Create(bench: SlowForCandidateBench);
        ShellProject.Neutral(repo, "0001.patch", "Slow one");
        // The interrupted run resumes after its recorded candidate, so the second run is killed in this one.
        ShellProject.Neutral(repo, "0002.patch", "Slow two");
        repo.Write("README.txt", "edit kept through Ctrl-C\n");

        using (var run = PerfloopProcess.Start(repo.Root, null, "run", "--candidates", repo.Candidates, "--allow-dirty"))
        {
            Assert.True(run.WaitForOutput("Benchmarking...", Patience), run.StdoutSoFar);
            run.Signal("INT");
            Assert.Equal(130, run.WaitForExit(Patience).ExitCode);
        }

        Assert.Equal("edit kept through Ctrl-C\n", repo.Read("README.txt"));
        Assert.Equal("", repo.Git("stash", "list"));

        repo.Write("README.txt", "edit kept through kill -9\n");
        using (var run = PerfloopProcess.Start(repo.Root, null, "run", "--candidates", repo.Candidates, "--allow-dirty"))
        {
            Assert.True(run.WaitForOutput("Benchmarking...", Patience), run.StdoutSoFar);
            run.Signal("KILL");
            run.WaitForExit(Patience);
        }

        Assert.Equal("a small program\n", repo.Read("README.txt"));
        Assert.Contains("perfloop", repo.Git("stash", "list"));
        var next = PerfloopProcess.Run(repo.Root, "status");
        Assert.Equal(0, next.ExitCode);
        var resumed = PerfloopProcess.Run(repo.Root, "run", "--candidates", repo.Candidates, "--allow-dirty");
        Assert.Equal(0, resumed.ExitCode);
        Assert.Equal("edit kept through kill -9\n", repo.Read("README.txt"));
        Assert.Equal("", repo.Git("stash", "list"));
        var rows = ShellProject.Rows(repo);
        Assert.Null(ResultsTable.DuplicateNumber(rows));
    }

    [Fact]
    public void Secrets_in_the_environment_never_reach_results_journal_logs_or_reports()
    {
        var secrets = new Dictionary<string, string>
        {
            ["GITHUB_TOKEN"] = "ghp_FAILfakeTokenValue1234567890",
            ["AWS_SECRET_ACCESS_KEY"] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYFAILKEY",
            ["MY_SERVICE_PASSWORD"] = "hunter2-but-longer-error",
        };
        // The bench and the build print the whole environment; the build then fails, so its output becomes a log and a reason.
        using var repo = ShellProject.Create(bench: "sh app.sh; env; true", build: "sh -n app.sh; [ -f lib/extra.sh ] && { env; exit 1; }; true");
        ShellProject.Neutral(repo, "0001.patch", "Breaks the build loudly");
        var result = PerfloopProcess.Run(repo.Root, secrets, "run", "--candidates", repo.Candidates);
        Assert.Equal(0, result.ExitCode);
        var written = Directory.EnumerateFiles(PerfloopPaths.StateDirectory(repo.Root), "*", SearchOption.AllDirectories)
            .Select(f => (File: f, Text: File.ReadAllText(f))).ToList();
        Assert.True(written.Any(w => w.Text.Contains("[redacted:GITHUB_TOKEN]", StringComparison.Ordinal)), string.Join("\n", written.Select(w => w.File + ": " + w.Text[..Math.Min(300, w.Text.Length)])));
        foreach (var value in secrets.Values)
        {
            Assert.DoesNotContain(value, result.Stdout + result.Stderr);
            Assert.DoesNotContain(value, repo.Git("log", "--format=%B"));
            foreach (var (file, text) in written)
            {
                Assert.False(text.Contains(value, StringComparison.Ordinal), $"{file} holds a secret");
            }
        }
    }
}
