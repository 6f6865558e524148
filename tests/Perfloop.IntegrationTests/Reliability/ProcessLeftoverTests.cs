using System.Diagnostics;
using System.Globalization;
using Perfloop.Configuration;
using Perfloop.IntegrationTests.Fixtures;
using Perfloop.Processes;
using Perfloop.Safety;

namespace Perfloop.IntegrationTests.Reliability;

/// <summary>
/// Nothing outlives the loop: processes that leave their command's process group (setsid) end with the command, and
/// after a kill -9 of perfloop (even of its whole group) the next run — or <c>experiment abandon</c> — ends what the dead
/// loop left running, by its loop id, and nothing else.
/// </summary>
public sealed class ProcessLeftoverTests
{
    static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    static List<int> Pids(string file) => File.Exists(file)
        ? File.ReadAllLines(file).Where(l => l.Length > 0).Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToList()
        : [];

    static bool Runs(int pid) => ProcessOwnership.ReadStat(pid) is { State: not 'Z' };

    [Fact]
    public void Setsid_children_of_the_bench_and_the_guard_end_with_their_command()
    {
        var pids = Path.Combine(Path.GetTempPath(), $"perfloop-setsid-{Guid.NewGuid():N}.txt");
        try
        {
            var escape = $"(setsid sh -c 'echo $$ >> {pids}; exec sleep 300' >/dev/null 2>&1 </dev/null &)";
            // The short sleep lets the escapee record its pid before its command ends (and it is ended).
            using var repo = ShellProject.Create(bench: $"sh app.sh; {escape}; sleep 0.1; true", guard: $"sh check.sh; {escape}; sleep 0.1; true");
            ShellProject.Neutral(repo, "0001.patch", "Neutral");

            var result = PerfloopProcess.Run(repo.Root, "run", "--candidates", repo.Candidates);

            Assert.True(result.ExitCode == 0, result.Stderr);
            var left = Pids(pids);
            Assert.True(left.Count >= 4, $"only {left.Count} escapes were started");
            Assert.All(left, pid => Assert.False(Runs(pid), $"setsid child {pid} outlived its command"));
            ShellProject.AssertSafeEnd(repo);
        }
        finally
        {
            File.Delete(pids);
        }
    }

    [Theory]
    [InlineData("run")]
    [InlineData("abandon")]
    public void After_a_kill_9_of_the_whole_group_the_next_command_ends_the_hung_benchmark_and_its_daemons(string next)
    {
        var pids = Path.Combine(Path.GetTempPath(), $"perfloop-hung-{Guid.NewGuid():N}.txt");
        try
        {
            // The candidate's benchmark starts a setsid daemon, then hangs (the timeout is far away).
            using var repo = ShellProject.Create(
                bench: $"sh app.sh; if [ -f lib/extra.sh ]; then (setsid sh -c 'echo $$ >> {pids}; exec sleep 300' >/dev/null 2>&1 </dev/null &); echo $$ >> {pids}; sleep 300; fi; true");
            ShellProject.Neutral(repo, "0001.patch", "Hangs");
            var head = repo.Git("rev-parse", "HEAD").Trim();
            using (var run = LoopProcess.Start(repo.Root, "run", "--candidates", repo.Candidates))
            {
                Assert.True(run.WaitForOutput("Benchmarking...", Patience), run.StdoutSoFar);
                var deadline = DateTime.UtcNow + Patience;
                while (Pids(pids).Count < 2 && DateTime.UtcNow < deadline)
                {
                    Thread.Sleep(20);
                }

                run.Signal("KILL", wholeGroup: true);
                run.WaitForExit(Patience);
            }

            var left = Pids(pids);
            Assert.Equal(2, left.Count);
            Assert.All(left, pid => Assert.True(Runs(pid), $"{pid} should still run after the kill (the problem this test guards against)"));
            var loop = RepositoryLock.ReadHolder(RepositoryLock.PathIn(repo.Root)).LoopId;
            Assert.NotNull(loop);

            var result = next == "run"
                ? PerfloopProcess.Run(repo.Root, "run", "--candidates", repo.Candidates)
                : PerfloopProcess.Run(repo.Root, "experiment", "abandon");

            Assert.True(result.ExitCode == 0, result.Stderr);
            Assert.Contains("process(es) it left running", result.Stdout + result.Stderr, StringComparison.Ordinal);
            Assert.All(left, pid => Assert.False(Runs(pid), $"{pid} of the killed loop still runs"));
            Assert.Empty(FaultInjector.LiveProcessesOf(loop));
            Assert.Equal(head, repo.Git("rev-parse", "HEAD").Trim());
            ShellProject.AssertSafeEnd(repo);
        }
        finally
        {
            foreach (var pid in Pids(pids).Where(Runs))
            {
                // Only if the test failed: do not leave its own sleeps behind.
                using var kill = Process.Start("kill", ["-KILL", pid.ToString(CultureInfo.InvariantCulture)]);
                kill.WaitForExit();
            }

            File.Delete(pids);
        }
    }

    [Theory]
    [InlineData("\0\0\0garbage with no fields", "took over a damaged lock file that no running process holds")]
    [InlineData("pid=999999999\npid=1\nhost={host}\nhost=elsewhere\npurpose=perfloop run\n", "took over a stale lock of process 999999999")]
    [InlineData("", "took over a damaged lock file")]
    public void A_damaged_or_duplicated_lock_nobody_holds_is_taken_over_with_a_notice(string content, string notice)
    {
        using var repo = ShellProject.Create();
        ShellProject.Neutral(repo, "0001.patch", "Neutral");
        File.WriteAllText(RepositoryLock.PathIn(repo.Root), content.Replace("{host}", Environment.MachineName, StringComparison.Ordinal));

        var result = PerfloopProcess.Run(repo.Root, "run", "--candidates", repo.Candidates);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains(notice, result.Stdout + result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", result.Stderr, StringComparison.Ordinal);
        ShellProject.AssertSafeEnd(repo);
        Assert.False(File.Exists(RepositoryLock.PathIn(repo.Root)));
    }

    [Fact]
    public void A_lock_whose_pid_was_reused_by_another_process_is_taken_over()
    {
        using var repo = ShellProject.Create();
        ShellProject.Neutral(repo, "0001.patch", "Neutral");
        // Our own test host is alive, but it started long before the recorded start time: a reused pid, not the holder.
        File.WriteAllText(RepositoryLock.PathIn(repo.Root),
            string.Create(CultureInfo.InvariantCulture, $"pid={Environment.ProcessId}\nhost={Environment.MachineName}\npurpose=perfloop run\nloop=00aa00aa00aa00aa\nstarted=1\n"));

        var result = PerfloopProcess.Run(repo.Root, "run", "--candidates", repo.Candidates);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains($"took over a stale lock of process {Environment.ProcessId}", result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void The_lock_names_the_loop_and_is_held_while_the_loop_runs()
    {
        using var repo = ShellProject.Create(bench: "sh app.sh; [ -f lib/extra.sh ] && sleep 3; true");
        ShellProject.Neutral(repo, "0001.patch", "Slow");
        using var run = LoopProcess.Start(repo.Root, "run", "--candidates", repo.Candidates);
        Assert.True(run.WaitForOutput("Benchmarking...", Patience), run.StdoutSoFar);

        var holder = RepositoryLock.ReadHolder(RepositoryLock.PathIn(repo.Root));
        Assert.Equal(run.Pid, holder.Pid);
        Assert.NotNull(holder.LoopId);
        Assert.Equal(ProcessOwnership.StartTimeOf(run.Pid), holder.StartTime);
        // Whatever the file says, a live holder keeps its flock: a second loop refuses.
        // Through the shell: .NET's own file-sharing emulation would refuse to open the holder's file for writing.
        using (var damage = Process.Start(new ProcessStartInfo("sh", ["-c", $"echo 'damaged by hand' > '{RepositoryLock.PathIn(repo.Root)}'"]))!)
        {
            damage.WaitForExit();
        }

        Assert.Null(RepositoryLock.ReadHolder(RepositoryLock.PathIn(repo.Root)).Pid);
        var second = PerfloopProcess.Run(repo.Root, "run", "--candidates", repo.Candidates);
        Assert.Equal(2, second.ExitCode);
        Assert.Contains("another perfloop is working in this repository", second.Stderr, StringComparison.Ordinal);

        run.Signal("INT", wholeGroup: true);
        Assert.Equal(130, run.WaitForExit(Patience).ExitCode);
        Assert.False(File.Exists(Path.Combine(PerfloopPaths.StateDirectory(repo.Root), "lock")));
    }
}
