using System.Diagnostics;
using System.Globalization;
using System.Text;
using Perfloop.Configuration;
using Perfloop.Experiments;
using Perfloop.IntegrationTests.Fixtures;
using Perfloop.Journal;
using Perfloop.Processes;
using Perfloop.Safety;

namespace Perfloop.IntegrationTests.Reliability;

/// <summary>What a fault-injection run found.</summary>
public sealed record FaultReport(
    int Kills,
    int Interrupts,
    int Rounds,
    IReadOnlyDictionary<string, int> PhasesHit,
    IReadOnlyList<string> Violations,
    int LeftoversSeen,
    int Keeps,
    TimeSpan Duration)
{
    public int Interruptions => Kills + Interrupts;

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"interruptions {Interruptions} (SIGKILL {Kills}, SIGINT to the group {Interrupts}), completed rounds {Rounds}, KEEP commits {Keeps}, violations {Violations.Count}, " +
        $"processes a killed loop left running (all ended by the next loop) {LeftoversSeen}, duration {Duration.TotalSeconds:0} s; " +
        $"phases hit: {string.Join(", ", PhasesHit.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"))}");
}

/// <summary>
/// Interrupts <c>perfloop run --allow-dirty</c> at random moments over a small shell project — half by SIGKILL (of the
/// process or its whole group), half by SIGINT to its process group as a terminal's Ctrl-C — starts it again after
/// each, and checks the invariants:
/// <list type="bullet">
/// <item>after every interruption: results parse with unique numbers, the user's work is in the tree or in Perfloop's
/// stash (never lost), every new commit is a KEEP, the guard in <c>.perfloop/conventions.md</c> and perfloop.json are
/// what they were (a candidate in the queue tries to rewrite the guard);</item>
/// <item>after a SIGINT: exit 130, at most one line (it says "interrupted"), the tree back with the user's edit and no
/// stash, no journal, no lock, no worktree, and no process of that loop left running;</item>
/// <item>after a SIGKILL: the next loop that takes the repository lock has ended every process the killed one left
/// running (the benchmark leaves a setsid daemon on every run, and one candidate hangs its benchmark);</item>
/// <item>after every run that completes: the tree clean with the user's edit back, no stash, journal, lock, marker or
/// worktree left, every candidate recorded exactly once in the round, every crash/discard diff kept.</item>
/// </list>
/// </summary>
public static class FaultInjector
{
    const string UserWork = "the user's own unsaved edit\n";
    const string Guard = "sh check.sh";
    const int Candidates = 10;

    /// <summary>
    /// Every benchmark run leaves a daemon in a new session; a candidate adding lib/hang hangs the benchmark until its
    /// timeout; one adding lib/fast halves the reported metric (kept, whatever the machine's load: the metric is printed).
    /// </summary>
    const string Bench = "sh app.sh; (setsid sleep 600 >/dev/null 2>&1 </dev/null &); if [ -f lib/hang ]; then sleep 600; fi; " +
        "n=$(cat lib/fast 2>/dev/null | wc -l); awk -v n=$n -v p=$$ 'BEGIN { printf \"METRIC work=%d\\n\", 1e9 * 0.8 ^ n + p % 3 }'";

    const string Setup = "\"timeouts\": { \"benchSeconds\": 3, \"buildSeconds\": 20, \"oracleSeconds\": 20, \"guardSeconds\": 20 }, " +
        "\"metric\": { \"name\": \"work\", \"goal\": \"lower\" }, \"fidelity\": \"warn\", " +
        "\"measurement\": { \"warmupRuns\": 0, \"minRuns\": 8, \"maxRuns\": 16, \"calibrationRuns\": 3, \"maxSeconds\": 20 }";

    enum Interruption
    {
        Kill,
        KillGroup,
        Interrupt,
    }

    public static FaultReport Run(int interruptions, int seed, Action<string> log)
    {
        var random = new Random(seed);
        var watch = Stopwatch.StartNew();
        var violations = new List<string>();
        var phases = new Dictionary<string, int>(StringComparer.Ordinal);
        using var repo = ShellProject.Create(bench: Bench, guard: Guard, extraConfig: Setup);
        // A guard that takes a moment, so interruptions also land while it runs.
        repo.Write("check.sh", "#!/bin/sh\nsleep 0.3\nsh app.sh | grep -q 'result 42' && echo pass\n");
        repo.CommitAll("a slower guard");
        for (var i = 1; i <= Candidates - 3; i++)
        {
            repo.MakeCandidate($"{i:D4}.patch", $"Candidate {i}", ["Target: app.sh", "Category: algorithm"], r => r.Write("lib/extra.sh", $"# candidate {i}\n"));
        }

        WriteFasterCandidate(repo);

        repo.MakeCandidate($"{Candidates - 1:D4}.patch", $"Candidate {Candidates - 1}", ["Target: app.sh", "Category: algorithm"], r => r.Write("lib/hang", "1\n"));
        // The last candidate rewrites the guard to 'true' with a patch that would apply cleanly to .perfloop/conventions.md.
        // conventions.md as the first command writes it from perfloop.json's guard (a fresh clone has none yet).
        var conventions = Conventions.Render(Guard, "cpu").TrimEnd('\n').Split('\n');
        var hunk = string.Concat(conventions.Select(l => l == Guard ? $"-{l}\n+true\n" : $" {l}\n"));
        File.WriteAllText(Path.Combine(repo.Candidates, $"{Candidates:D4}.patch"),
            $"From 0 Mon Sep 17 00:00:00 2001\nSubject: [PATCH] Candidate {Candidates}\n\nTarget: app.sh\n---\n" +
            $"diff --git a/.perfloop/conventions.md b/.perfloop/conventions.md\n--- a/.perfloop/conventions.md\n+++ b/.perfloop/conventions.md\n" +
            $"@@ -1,{conventions.Length} +1,{conventions.Length} @@\n{hunk}");

        var initialHead = repo.Git("rev-parse", "HEAD").Trim();
        var config = repo.Read(PerfloopConfig.FileName);
        repo.Write("README.txt", UserWork);
        var kills = 0;
        var interrupts = 0;
        var rounds = 0;
        var roundStart = 0;
        var leftoversSeen = 0;
        var killedLoops = new List<string>();
        string? previousLoop = null;
        string[] arguments = ["run", "--candidates", repo.Candidates, "--allow-dirty"];
        while (kills + interrupts < interruptions)
        {
            // Alternate so that exactly half are SIGKILLs (of the process or of its whole group) and half SIGINTs.
            var how = (kills + interrupts) % 2 == 1 ? Interruption.Interrupt : random.Next(2) == 0 ? Interruption.Kill : Interruption.KillGroup;
            using var run = LoopProcess.Start(repo.Root, arguments);
            switch (random.Next(10))
            {
                case 0 or 1 or 2:
                    // Anywhere: start-up, recovery of the previous loop, calibration.
                    Thread.Sleep(random.Next(100, 2500));
                    break;
                case 3 or 4:
                    run.WaitForOutput("] Target: ", TimeSpan.FromSeconds(60));
                    Thread.Sleep(random.Next(0, 800));
                    break;
                case 5 or 6:
                    run.WaitForOutput("Benchmarking...", TimeSpan.FromSeconds(60));
                    Thread.Sleep(random.Next(0, 1500));
                    break;
                case 7 or 8:
                    // After the verdict: the guard, the decision, the commit.
                    run.WaitForOutput(" → ", TimeSpan.FromSeconds(60));
                    Thread.Sleep(random.Next(0, 500));
                    break;
                default:
                    // After a KEEP: the end-to-end comparison in worktrees, the config audit, a milestone.
                    run.WaitForOutput("] KEEP", TimeSpan.FromSeconds(60));
                    Thread.Sleep(random.Next(0, 1500));
                    break;
            }

            // The lock names the loop that holds it; the one the previous run left (killed) is not this run's.
            var seen = LoopIdOfLock(repo.Root);
            var loop = seen == previousLoop ? null : seen;
            var phase = !File.Exists(RepositoryLock.PathIn(repo.Root)) ? "start-up"
                : ExperimentJournal.TryLoad(repo.Root).State?.Phase.ToString().ToLowerInvariant() ?? "between experiments";
            run.Signal(how == Interruption.Interrupt ? "INT" : "KILL", wholeGroup: how != Interruption.Kill);
            var result = run.WaitForExit(TimeSpan.FromMinutes(2));
            previousLoop = LoopIdOfLock(repo.Root);
            if (result.ExitCode == 0 || RoundFinished(repo, roundStart))
            {
                // The run had finished before the signal landed: check the end state of the round and start another.
                CheckCompletedRound(repo, roundStart, violations, $"round {rounds + 1}");
                rounds++;
                roundStart = NextNumber(repo);
                WriteFasterCandidate(repo);
                continue;
            }

            var label = how == Interruption.Interrupt ? "SIGINT" : how == Interruption.KillGroup ? "SIGKILL to the group" : "SIGKILL";
            var when = $"interruption {kills + interrupts + 1} ({label}, {phase})";
            phases[phase] = phases.GetValueOrDefault(phase) + 1;
            if (how == Interruption.Interrupt)
            {
                interrupts++;
                // A Ctrl-C before the run took the lock over (still recovering nothing) leaves what the killed run before
                // it left, for the next run; one after must leave everything clean.
                CheckAfterInterrupt(repo, result, loop, tookOver: loop is not null, violations, when);
            }
            else
            {
                kills++;
                if (result.ExitCode != 137)
                {
                    violations.Add($"{when}: unexpected exit {result.ExitCode}: {result.Stderr.Trim()}");
                }

                if (loop is not null)
                {
                    leftoversSeen += LiveProcessesOf(loop).Count;
                    killedLoops.Add(loop);
                }
            }

            CheckInvariants(repo, initialHead, config, violations, when);
            // A loop that took the lock over has ended what the killed ones before it left running.
            if (loop is not null)
            {
                CheckLeftoversEnded(killedLoops.Where(l => l != loop).ToList(), violations, when);
                killedLoops.RemoveAll(l => l != loop);
            }

            log(when);
        }

        var final = LoopProcess.Start(repo.Root, arguments).WaitForExit(TimeSpan.FromMinutes(5));
        if (final.ExitCode != 0)
        {
            violations.Add($"final run: exit {final.ExitCode}: {final.Stderr.Trim()}");
        }

        CheckCompletedRound(repo, roundStart, violations, "final round");
        CheckLeftoversEnded(killedLoops, violations, "after the final run");
        var keeps = ResultsTable.Read(PerfloopPaths.Results(repo.Root)).Count(r => r.Status == ExperimentStatus.Keep);
        return new FaultReport(kills, interrupts, rounds + 1, phases, violations, leftoversSeen, keeps, watch.Elapsed);
    }

    /// <summary>
    /// The candidate that is kept every round: one more line in lib/fast, 20% less work for the benchmark. Written as a
    /// patch against the current HEAD (the tree holds the user's edit, which must not end up in it).
    /// </summary>
    static void WriteFasterCandidate(TempGitRepository repo)
    {
        var lines = repo.Git("ls-tree", "HEAD", "lib/fast").Length == 0 ? [] : repo.Git("show", "HEAD:lib/fast").TrimEnd('\n').Split('\n');
        var added = $"faster {lines.Length + 1}";
        var diff = lines.Length == 0
            ? $"diff --git a/lib/fast b/lib/fast\nnew file mode 100644\n--- /dev/null\n+++ b/lib/fast\n@@ -0,0 +1 @@\n+{added}\n"
            : $"diff --git a/lib/fast b/lib/fast\n--- a/lib/fast\n+++ b/lib/fast\n@@ -1,{lines.Length} +1,{lines.Length + 1} @@\n{string.Concat(lines.Select(l => $" {l}\n"))}+{added}\n";
        File.WriteAllText(Path.Combine(repo.Candidates, $"{Candidates - 2:D4}.patch"),
            $"From 0 Mon Sep 17 00:00:00 2001\nSubject: [PATCH] Candidate {Candidates - 2}\n\nTarget: app.sh\nCategory: algorithm\n---\n{diff}");
    }

    static string? LoopIdOfLock(string root) =>
        File.Exists(RepositoryLock.PathIn(root)) ? RepositoryLock.ReadHolder(RepositoryLock.PathIn(root)).LoopId : null;

    /// <summary>Processes (not zombies) whose PERFLOOP_OWNER names a command of <paramref name="loopId"/>.</summary>
    public static List<int> LiveProcessesOf(string loopId)
    {
        var found = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var environment = Encoding.ASCII.GetString(File.ReadAllBytes(Path.Combine(directory, "environ"))).Split('\0');
                var marks = environment.FirstOrDefault(e => e.StartsWith(ProcessOwnership.VariableName + "=", StringComparison.Ordinal));
                if (marks is not null && marks.Split('=', 2)[1].Split(' ').Any(m => m.StartsWith(loopId + ".", StringComparison.Ordinal))
                    && ProcessOwnership.ReadStat(pid) is { State: not 'Z' })
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }

        return found;
    }

    static void CheckLeftoversEnded(List<string> loops, List<string> violations, string when)
    {
        foreach (var loop in loops)
        {
            // The takeover kills before the new lock is written; give the kernel a moment to finish them.
            var deadline = DateTime.UtcNow.AddSeconds(3);
            var left = LiveProcessesOf(loop);
            while (left.Count > 0 && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(50);
                left = LiveProcessesOf(loop);
            }

            if (left.Count > 0)
            {
                violations.Add($"{when}: {left.Count} process(es) of killed loop {loop} still run: {string.Join(", ", left.Select(Describe))}");
            }
        }
    }

    static string Describe(int pid)
    {
        try
        {
            return $"{pid} {File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim()}";
        }
        catch (IOException)
        {
            return pid.ToString(CultureInfo.InvariantCulture);
        }
    }

    static void CheckAfterInterrupt(TempGitRepository repo, LoopProcess.Result result, string? loop, bool tookOver, List<string> violations, string when)
    {
        void Check(bool ok, string what)
        {
            if (!ok)
            {
                violations.Add($"{when}: {what}");
            }
        }

        var before = violations.Count;
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("  ", StringComparison.Ordinal)).ToList();
        Check(result.ExitCode == 130, $"exit {result.ExitCode} instead of 130: {result.Stderr.Trim()}");
        // No line at all: the signal landed before the runtime had started Perfloop, which then did nothing.
        Check(lines.Count == 0 || (lines.Count == 1 && lines[0].StartsWith("perfloop: interrupted", StringComparison.Ordinal)), $"not one 'interrupted' line: {result.Stderr.Trim()}");
        if (tookOver)
        {
            Check(repo.Git("status", "--porcelain").Trim() == "M README.txt", $"tree is not back with only the user's edit: {repo.Git("status", "--porcelain").Trim()}");
            Check(File.Exists(Path.Combine(repo.Root, "README.txt")) && repo.Read("README.txt") == UserWork, "the user's edit is not back");
            Check(repo.Git("stash", "list").Length == 0, "a stash is left");
            Check(!File.Exists(ExperimentJournal.PathIn(repo.Root)), "the journal is left");
            Check(!File.Exists(RepositoryLock.PathIn(repo.Root)), "the lock is left");
            var worktrees = repo.Git("worktree", "list", "--porcelain").Split('\n').Count(l => l.StartsWith("worktree ", StringComparison.Ordinal));
            Check(worktrees == 1, $"{worktrees - 1} worktree(s) left");
        }

        if (loop is not null)
        {
            var left = LiveProcessesOf(loop);
            Check(left.Count == 0, $"{left.Count} process(es) of the interrupted loop still run: {string.Join(", ", left.Select(Describe))}");
        }

        if (violations.Count > before)
        {
            violations.Add($"{when}: (exit {result.ExitCode}; stderr: {result.Stderr.Trim().ReplaceLineEndings(" | ")}; stdout tail: {string.Join(" | ", result.Stdout.Trim().Split('\n').TakeLast(3))})");
        }
    }

    static bool RoundFinished(TempGitRepository repo, int roundStart)
    {
        if (File.Exists(Perfloop.Sessions.RunMarker.PathIn(repo.Root)) || File.Exists(ExperimentJournal.PathIn(repo.Root)))
        {
            return false;
        }

        try
        {
            var round = ResultsTable.Read(PerfloopPaths.Results(repo.Root)).Where(r => r.Experiment >= roundStart && r.IsExperiment).ToList();
            return Enumerable.Range(1, Candidates).All(i => round.Any(r => r.Summary == $"Candidate {i}"));
        }
        catch (Errors.PerfloopException)
        {
            return false;
        }
    }

    static int NextNumber(TempGitRepository repo)
    {
        var rows = ResultsTable.Read(PerfloopPaths.Results(repo.Root));
        return rows.Count == 0 ? 0 : rows.Max(r => r.Experiment) + 1;
    }

    static void CheckInvariants(TempGitRepository repo, string initialHead, string config, List<string> violations, string when)
    {
        try
        {
            var rows = ResultsTable.Read(PerfloopPaths.Results(repo.Root));
            if (ResultsTable.DuplicateNumber(rows) is { } duplicate)
            {
                violations.Add($"{when}: experiment number {duplicate} twice");
            }
        }
        catch (Exception e) when (e is Errors.PerfloopException or IOException)
        {
            violations.Add($"{when}: results.tsv does not parse: {e.Message}");
        }

        var inTree = File.Exists(Path.Combine(repo.Root, "README.txt")) && repo.Read("README.txt") == UserWork;
        var stashed = repo.Git("stash", "list").Contains("perfloop", StringComparison.Ordinal);
        // Between a give-back's apply and its drop the work is briefly in both places; the next run resolves that
        // (checked at the end of every round). Never may it be in neither.
        if (!inTree && !stashed)
        {
            violations.Add($"{when}: the user's work is neither in the tree nor in a stash");
        }

        foreach (var commit in repo.Git("rev-list", $"{initialHead}..HEAD").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!repo.Git("log", "-1", "--format=%B", commit).Contains("Perfloop-Experiment: ", StringComparison.Ordinal))
            {
                violations.Add($"{when}: commit {commit} is not an experiment's KEEP");
            }
        }

        // Trusted files: the guard Perfloop reads, and the setup it measures with.
        string? guard;
        try
        {
            guard = Conventions.LoadGuard(repo.Root);
        }
        catch (Exception e) when (e is IOException or Errors.PerfloopException)
        {
            guard = $"(unreadable: {e.Message})";
        }

        if (guard != Guard)
        {
            violations.Add($"{when}: the guard in .perfloop/conventions.md is now '{guard}'");
        }

        if (repo.Git("show", $"HEAD:{PerfloopConfig.FileName}") != config || repo.Read(PerfloopConfig.FileName) != config)
        {
            violations.Add($"{when}: perfloop.json changed");
        }
    }

    static void CheckCompletedRound(TempGitRepository repo, int roundStart, List<string> violations, string when)
    {
        void Check(bool ok, string what)
        {
            if (!ok)
            {
                violations.Add($"{when}: {what}");
            }
        }

        Check(repo.Git("status", "--porcelain").Trim() == "M README.txt", $"tree is not clean apart from the user's edit: {repo.Git("status", "--porcelain").Trim()}");
        Check(repo.Read("README.txt") == UserWork, "the user's edit is not back");
        Check(repo.Git("stash", "list").Length == 0, "a stash is left");
        Check(!File.Exists(ExperimentJournal.PathIn(repo.Root)), "the journal is left");
        Check(!File.Exists(RepositoryLock.PathIn(repo.Root)), "the lock is left");
        Check(!File.Exists(Perfloop.Sessions.RunMarker.PathIn(repo.Root)), "the resume marker is left");
        var worktrees = repo.Git("worktree", "list", "--porcelain").Split('\n').Count(l => l.StartsWith("worktree ", StringComparison.Ordinal));
        Check(worktrees == 1, $"{worktrees - 1} worktree(s) left");
        var rows = ResultsTable.Read(PerfloopPaths.Results(repo.Root));
        Check(ResultsTable.DuplicateNumber(rows) is null, "experiment numbers repeat");
        var round = rows.Where(r => r.Experiment >= roundStart && r.IsExperiment).ToList();
        for (var i = 1; i <= Candidates; i++)
        {
            var count = round.Count(r => r.Summary == $"Candidate {i}");
            Check(count == 1, $"Candidate {i} recorded {count} times");
        }

        foreach (var row in round.Where(r => r.Status is ExperimentStatus.Crash or ExperimentStatus.Discard))
        {
            var diff = Path.Combine(PerfloopPaths.Experiment(repo.Root, row.Experiment), "candidate.diff");
            var applied = !row.Reason.StartsWith("patch ", StringComparison.Ordinal) && !row.Reason.Contains("during started", StringComparison.Ordinal)
                && !row.Reason.Contains("during implementing", StringComparison.Ordinal);
            Check(!applied || File.Exists(diff), $"experiment {row.Experiment} ({row.StatusText}: {row.Reason}) has no candidate.diff");
        }
    }
}
