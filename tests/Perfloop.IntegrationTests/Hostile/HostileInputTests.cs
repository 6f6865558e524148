using System.Diagnostics;
using Perfloop.Configuration;
using Perfloop.IntegrationTests.Fixtures;
using HostileInput = Perfloop.IntegrationTests.Hostile.HostileSetupTests.HostileCase;

namespace Perfloop.IntegrationTests.Hostile;

/// <summary>
/// More hostile inputs through the real CLI — absurd numbers in perfloop.json and on the command line, git operations
/// stopped half-way, damaged state files — each ending with one clear line, the right exit code, and nothing of the
/// user's lost: files (byte for byte), HEAD, the index, the stash and any half-done merge/rebase stay as they were.
/// </summary>
public sealed class HostileInputTests
{
    static string[] Run(TempGitRepository repo) => HostileSetupTests.Run(repo);

    static Func<TempGitRepository, string[]> Config(string fragment) => repo =>
    {
        repo.Write(PerfloopConfig.FileName, $$"""{ "bench": "sh app.sh", {{fragment}} }""");
        repo.CommitAll("hostile config");
        return Run(repo);
    };

    static Func<TempGitRepository, string[]> Cli(params string[] arguments) => _ => arguments;

    /// <summary>Git with extra environment (GIT_SEQUENCE_EDITOR …); a failing command is allowed (a conflict is the point).</summary>
    static void Git(TempGitRepository repo, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = repo.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
    }

    static void Commit(TempGitRepository repo, string path, string content, string message)
    {
        repo.Write(path, content);
        repo.CommitAll(message);
    }

    static Func<TempGitRepository, string[]> RebaseStoppedAtEdit(Func<TempGitRepository, string[]> then) => repo =>
    {
        Commit(repo, "notes.txt", "one\n", "notes");
        Git(repo, new Dictionary<string, string> { ["GIT_SEQUENCE_EDITOR"] = "sed -i 1s/^pick/edit/" }, "rebase", "-i", "HEAD~1");
        Assert.True(Directory.Exists(Path.Combine(repo.Root, ".git", "rebase-merge")), "the rebase did not stop");
        return then(repo);
    };

    static Func<TempGitRepository, string[]> Merging(bool conflict, Func<TempGitRepository, string[]> then) => repo =>
    {
        repo.Git("checkout", "-q", "-b", "other");
        Commit(repo, conflict ? "README.txt" : "other.txt", "from other\n", "other side");
        repo.Git("checkout", "-q", "main");
        Commit(repo, conflict ? "README.txt" : "mine.txt", "from main\n", "main side");
        Git(repo, null, "merge", "--no-commit", "--no-ff", "other");
        Assert.True(File.Exists(Path.Combine(repo.Root, ".git", "MERGE_HEAD")), "no merge in progress");
        return then(repo);
    };

    static Func<TempGitRepository, string[]> Picking(string verb, Func<TempGitRepository, string[]> then) => repo =>
    {
        repo.Git("checkout", "-q", "-b", "other");
        Commit(repo, "README.txt", "from other\n", "other side");
        var other = repo.Git("rev-parse", "HEAD").Trim();
        repo.Git("checkout", "-q", "main");
        Commit(repo, "README.txt", "from main\n", "main side");
        if (verb == "revert")
        {
            Commit(repo, "README.txt", "from main, again\n", "main again");
            Git(repo, null, "revert", "--no-edit", "HEAD~1");
        }
        else
        {
            Git(repo, null, "cherry-pick", other);
        }

        return then(repo);
    };

    static Func<TempGitRepository, string[]> Bisecting(Func<TempGitRepository, string[]> then) => repo =>
    {
        Commit(repo, "notes.txt", "one\n", "notes");
        Git(repo, null, "bisect", "start", "HEAD", "HEAD~1");
        return then(repo);
    };

    static Func<TempGitRepository, string[]> AmStopped(Func<TempGitRepository, string[]> then) => repo =>
    {
        var patch = Path.Combine(repo.Candidates, "stale.mbox");
        File.WriteAllText(patch, "From 0 Mon Sep 17 00:00:00 2001\nFrom: A <a@b>\nSubject: [PATCH] stale\n\n---\ndiff --git a/missing.txt b/missing.txt\n--- a/missing.txt\n+++ b/missing.txt\n@@ -1 +1 @@\n-a\n+b\n");
        Git(repo, null, "am", patch);
        File.Delete(patch);
        return then(repo);
    };

    static string[] Dirty(TempGitRepository repo, string[] arguments)
    {
        repo.Write("README.txt", repo.Read("README.txt") + "my unsaved line\n");
        return arguments;
    }

    static string Host => Environment.MachineName;

    /// <summary>Lock holders started by a case, ended after it.</summary>
    static readonly List<Process> HeldLocks = [];

    public static readonly IReadOnlyList<HostileInput> Cases =
    [
        // Numbers in perfloop.json: every one range-checked when the file is read.
        new("benchSeconds 1e15", Config("\"timeouts\": { \"benchSeconds\": 1e15 }"), 2, "$.timeouts.benchSeconds: must be a positive number of seconds"),
        new("buildSeconds 1e400", Config("\"timeouts\": { \"buildSeconds\": 1e400 }"), 2, "$.timeouts.buildSeconds"),
        new("guardSeconds 0", Config("\"timeouts\": { \"guardSeconds\": 0 }"), 2, "$.timeouts.guardSeconds"),
        new("oracleSeconds a year", Config("\"timeouts\": { \"oracleSeconds\": 31536000 }"), 2, "$.timeouts.oracleSeconds"),
        new("maxSeconds 1e12", Config("\"measurement\": { \"maxSeconds\": 1e12 }"), 2, "$.measurement.maxSeconds"),
        new("maxRuns int.MaxValue", Config("\"measurement\": { \"maxRuns\": 2147483647 }"), 2, "$.measurement.maxRuns"),
        new("calibrationRuns five million", Config("\"measurement\": { \"calibrationRuns\": 5000000 }"), 2, "$.measurement.calibrationRuns"),
        new("warmupRuns negative", Config("\"measurement\": { \"warmupRuns\": -1 }"), 2, "$.measurement.warmupRuns"),
        new("seed negative", Config("\"measurement\": { \"seed\": -5 }"), 2, "$.measurement.seed"),
        new("minRuns a fraction", Config("\"measurement\": { \"minRuns\": 2.5 }"), 2, "$.measurement.minRuns"),
        new("minRuns beyond int", Config("\"measurement\": { \"minRuns\": 1e10 }"), 2, "$.measurement.minRuns"),
        new("microPct 100", Config("\"thresholds\": { \"microPct\": 100 }"), 2, "$.thresholds.microPct"),
        new("keepPct as text", Config("\"thresholds\": { \"keepPct\": \"5%\" }"), 2, "$.thresholds.keepPct"),
        new("hotPathSharePct 101", Config("\"thresholds\": { \"hotPathSharePct\": 101 }"), 2, "$.thresholds.hotPathSharePct"),
        new("rotateAfter 0", Config("\"policies\": { \"rotateAfter\": 0 }"), 2, "$.policies.rotateAfter"),
        new("stallWindow two billion", Config("\"policies\": { \"stallWindow\": 2000000000 }"), 2, "$.policies.stallWindow"),
        new("stallPct 100", Config("\"policies\": { \"stallPct\": 100 }"), 2, "$.policies.stallPct"),
        new("wallOverCpuRatio 1e300", Config("\"escalation\": { \"wallOverCpuRatio\": 1e300 }"), 2, "$.escalation.wallOverCpuRatio"),
        new("superlinearExponent 1000", Config("\"escalation\": { \"superlinearExponent\": 1000 }"), 2, "$.escalation.superlinearExponent"),
        new("scaling runs 100000", Config("\"scaling\": { \"command\": \"sh app.sh {n}\", \"sizes\": [1, 2, 3], \"runs\": 100000 }"), 2, "$.scaling.runs"),
        new("profileSharePct 250", Config("\"targets\": [ { \"name\": \"F\", \"profileSharePct\": 250 } ]"), 2, "$.targets[0].profileSharePct"),
        new("version as text", Config("\"version\": \"1\""), 2, "$.version"),
        new("JSON nested ten thousand deep", repo =>
        {
            repo.Write(PerfloopConfig.FileName, new string('[', 10000) + new string(']', 10000));
            repo.CommitAll("deep");
            return Run(repo);
        }, 2, "perfloop.json: line 1"),

        // Numbers on the command line: one parse error, never "Unhandled exception … Cannot parse argument".
        new("--max-experiments abc", repo => [.. Run(repo), "--max-experiments", "abc"], 2, "--max-experiments: 'abc' is not a whole number"),
        new("--max-experiments 1e3", repo => [.. Run(repo), "--max-experiments", "1e3"], 2, "--max-experiments"),
        new("--max-minutes abc", repo => [.. Run(repo), "--max-minutes", "abc"], 2, "--max-minutes: 'abc' is not a number"),
        new("--max-minutes -1", repo => [.. Run(repo), "--max-minutes", "-1"], 2, "--max-minutes must be a positive number"),
        new("--target-speedup x1.5", repo => [.. Run(repo), "--target-speedup", "x1.5"], 2, "--target-speedup: 'x1.5' is not a number"),
        new("--target-speedup 1", repo => [.. Run(repo), "--target-speedup", "1"], 2, "--target-speedup must be a speedup above 1"),
        new("--agent-timeout -5", Cli("run", "--agent", "true", "--agent-timeout", "-5"), 2, "--agent-timeout must be a positive number"),
        new("calibrate --runs many", Cli("calibrate", "--runs", "many"), 2, "--runs: 'many' is not a whole number"),
        new("calibrate --runs 2", Cli("calibrate", "--runs", "2"), 2, "--runs must be a whole number of run pairs from 3"),
        new("decide --max-reworks many", Cli("experiment", "decide", "--max-reworks", "many"), 2, "--max-reworks: 'many' is not a whole number"),
        new("rank --top abc", Cli("rank", "--profile", "x", "--top", "abc"), 2, "--top: 'abc' is not a whole number"),
        new("micro-ab --threshold abc", Cli("micro-ab", "--baseline", "a", "--candidate", "b", "--method", "N.T.M", "--threshold", "abc"), 2, "--threshold: 'abc' is not a number"),
        new("micro-ab --max-seconds NaN", Cli("micro-ab", "--baseline", "a", "--candidate", "b", "--method", "N.T.M", "--max-seconds", "NaN"), 2, "--max-seconds"),
        new("method-oracle --tolerance -1", Cli("method-oracle", "--baseline", "a", "--candidate", "b", "--method", "N.T.M", "--tolerance", "-1"), 2, "--tolerance must be zero or a positive number"),
        new("verdict abc", Cli("verdict", "abc"), 2, "N: 'abc' is not a whole number"),
        new("verdict 99999999999", Cli("verdict", "99999999999"), 2, "N: '99999999999' is out of range"),

        // Git operations stopped half-way: refused by name with how to end them, nothing stashed or committed.
        new("rebase stopped at edit: run", RebaseStoppedAtEdit(Run), 2, "a rebase is in progress"),
        new("rebase stopped at edit: run --allow-dirty", RebaseStoppedAtEdit(repo => Dirty(repo, [.. Run(repo), "--allow-dirty"])), 2, "git rebase --continue"),
        new("rebase stopped at edit: experiment start", RebaseStoppedAtEdit(_ => ["experiment", "start", "--target", "app.sh"]), 2, "a rebase is in progress"),
        new("rebase stopped at edit: calibrate", RebaseStoppedAtEdit(_ => ["calibrate"]), 2, "a rebase is in progress"),
        new("merge --no-commit: run", Merging(false, Run), 2, "a merge is in progress"),
        new("merge --no-commit: run --allow-dirty", Merging(false, repo => [.. Run(repo), "--allow-dirty"]), 2, "git merge --abort"),
        new("merge --no-commit: experiment start --allow-dirty", Merging(false, _ => ["experiment", "start", "--target", "app.sh", "--allow-dirty"]), 2, "a merge is in progress"),
        new("merge with a conflict: run --allow-dirty", Merging(true, repo => [.. Run(repo), "--allow-dirty"]), 2, "a merge is in progress"),
        new("cherry-pick with a conflict: run --allow-dirty", Picking("cherry-pick", repo => [.. Run(repo), "--allow-dirty"]), 2, "a cherry-pick is in progress"),
        new("revert with a conflict: run --allow-dirty", Picking("revert", repo => [.. Run(repo), "--allow-dirty"]), 2, "a revert is in progress"),
        new("bisect: run", Bisecting(Run), 2, "end it with 'git bisect reset'"),
        new("bisect: calibrate", Bisecting(_ => ["calibrate"]), 2, "a bisect is in progress"),
        new("git am stopped: run --allow-dirty", AmStopped(repo => [.. Run(repo), "--allow-dirty"]), 2, "git am"),

        // Damaged or foreign state files.
        new("lock held (flock) with a damaged file", repo =>
        {
            var path = Path.Combine(PerfloopPaths.StateDirectory(repo.Root), "lock");
            File.WriteAllText(path, "pid=1\npid=2\n\0garbage");
            HeldLocks.Add(Process.Start("flock", ["-s", path, "sleep", "60"])!);
            Thread.Sleep(300);
            return Run(repo);
        }, 2, "another perfloop is working in this repository"),
        new("lock of a live process on this host", repo =>
        {
            File.WriteAllText(Path.Combine(PerfloopPaths.StateDirectory(repo.Root), "lock"), $"pid=1\nhost={Host}\npurpose=perfloop run\n");
            return Run(repo);
        }, 2, $"process 1 on {Host}"),
        new("lock with a duplicate key from another host", repo =>
        {
            File.WriteAllText(Path.Combine(PerfloopPaths.StateDirectory(repo.Root), "lock"), "pid=7\npid=8\nhost=ci-9\nhost=ci-10\n");
            return Run(repo);
        }, 2, "process 7 on ci-9"),
        new("set-aside marker damaged", repo =>
        {
            File.WriteAllText(Path.Combine(PerfloopPaths.StateDirectory(repo.Root), "set-aside.json"), "{\"id\":");
            return Run(repo);
        }, 2, "set-aside.json is damaged"),
        new("journal with an unknown phase", repo =>
        {
            File.WriteAllText(Perfloop.Experiments.ExperimentJournal.PathIn(repo.Root),
                "{ \"experiment\": 3, \"preCommit\": \"abc\", \"phase\": \"exploding\", \"driver\": \"loop\", \"startedAt\": \"2026-01-01T00:00:00Z\" }");
            return Run(repo);
        }, 2, "journal is damaged"),
        new("journal of the wrong type", repo =>
        {
            File.WriteAllText(Perfloop.Experiments.ExperimentJournal.PathIn(repo.Root), "[1, 2, 3]");
            return Run(repo);
        }, 2, "journal is damaged"),
        new("inside the .git directory", repo => [.. Run(repo), "--dir", Path.Combine(repo.Root, ".git")], 2, "is inside a git directory"),
        new("--dir is a file", repo => [.. Run(repo), "--dir", Path.Combine(repo.Root, "app.sh")], 2, "directory not found"),
        new("--candidates is a file", repo => ["run", "--candidates", Path.Combine(repo.Root, "app.sh")], 2, "--candidates: directory not found"),
        new("--agent is empty", Cli("run", "--agent", " "), 2, "--agent: the command is empty"),
        new("--targets file missing", repo => ["run", "--agent", "true", "--targets", Path.Combine(repo.Candidates, "nope.txt")], 2, "--targets: file not found"),
        new("candidate patch named in Latin-1", repo =>
        {
            var start = new ProcessStartInfo("sh", ["-c", "printf 'Subject: [PATCH] x\\n\\n---\\n' > \"$(printf '0009-caf\\351.patch')\""]) { WorkingDirectory = repo.Candidates };
            using (var process = Process.Start(start)!)
            {
                process.WaitForExit();
            }

            return Run(repo);
        }, 2, "is not valid UTF-8"),
    ];

    public static TheoryData<HostileInput> All() => OneClearLine.TheoryOf(Cases);

    [Theory]
    [MemberData(nameof(All))]
    public void A_hostile_input_gives_one_clear_line_the_right_exit_code_and_loses_nothing(HostileInput hostile)
    {
        using var repo = ShellProject.Create();
        ShellProject.Neutral(repo, "0001.patch", "Neutral");
        try
        {
            OneClearLine.Check(repo, hostile);
        }
        finally
        {
            foreach (var holder in HeldLocks)
            {
                holder.Kill();
                holder.WaitForExit();
                holder.Dispose();
            }

            HeldLocks.Clear();
            // .NET cannot delete a file whose name is not UTF-8.
            using var cleanup = Process.Start(new ProcessStartInfo("sh", ["-c", "rm -f ./*"]) { WorkingDirectory = repo.Candidates })!;
            cleanup.WaitForExit();
        }
    }
}
