using System.Diagnostics;
using System.Globalization;
using Perfloop.Configuration;
using Perfloop.Experiments;
using Perfloop.IntegrationTests.Fixtures;
using Perfloop.Journal;

namespace Perfloop.IntegrationTests.Reliability;

/// <summary>What a fault-injection run found.</summary>
public sealed record FaultReport(int Kills, int Rounds, IReadOnlyDictionary<string, int> PhasesHit, IReadOnlyList<string> Violations, TimeSpan Duration)
{
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"kills {Kills}, completed rounds {Rounds}, violations {Violations.Count}, duration {Duration.TotalSeconds:0} s; phases hit: {string.Join(", ", PhasesHit.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"))}");
}

/// <summary>
/// Kills <c>perfloop run --allow-dirty</c> with SIGKILL at random moments over a small shell project, starts it
/// again after each kill, and checks the invariants: after every kill (results parse, numbers unique, the user's
/// work is in the tree or in Perfloop's stash, never lost), and after every run that completes (tree clean with the user's
/// work back, no stash, no journal, no lock, no worktree left, every candidate recorded exactly once in the round,
/// every crash/discard diff kept).
/// </summary>
public static class FaultInjector
{
    const string UserWork = "the user's own unsaved edit\n";
    const int Candidates = 10;

    public static FaultReport Run(int kills, int seed, Action<string> log)
    {
        var random = new Random(seed);
        var watch = Stopwatch.StartNew();
        var violations = new List<string>();
        var phases = new Dictionary<string, int>(StringComparer.Ordinal);
        using var repo = ShellProject.Create();
        for (var i = 1; i <= Candidates; i++)
        {
            repo.MakeCandidate($"{i:D4}.patch", $"Candidate {i}", ["Target: app.sh", "Category: algorithm"], r => r.Write("lib/extra.sh", $"# candidate {i}\n"));
        }

        var initialHead = repo.Git("rev-parse", "HEAD").Trim();
        repo.Write("README.txt", UserWork);
        var killed = 0;
        var rounds = 0;
        var roundStart = 0;
        while (killed < kills)
        {
            using var run = PerfloopProcess.Start(repo.Root, null, "run", "--candidates", repo.Candidates, "--allow-dirty");
            // Half the kills land anywhere (start-up, recovery, calibration); half inside an experiment, after its Target line.
            if (random.Next(2) == 0)
            {
                Thread.Sleep(random.Next(150, 2500));
            }
            else
            {
                run.WaitForOutput("] Target: ", TimeSpan.FromSeconds(30));
                Thread.Sleep(random.Next(0, 700));
            }

            var phase = ExperimentJournal.Load(repo.Root)?.Phase.ToString().ToLowerInvariant();
            run.Signal("KILL");
            var result = run.WaitForExit(TimeSpan.FromMinutes(2));
            // A kill that lands after the run's end (its resume marker removed, every candidate recorded) only ended a
            // finished process: the next run starts a new round over the same candidates.
            if (result.ExitCode == 0 || RoundFinished(repo, roundStart))
            {
                // The run finished before the kill landed: check the end state of the round and start another one.
                CheckCompletedRound(repo, roundStart, violations, $"round {rounds + 1}");
                rounds++;
                roundStart = NextNumber(repo);
                continue;
            }

            if (result.ExitCode != 137 && result.ExitCode != -1)
            {
                violations.Add($"kill {killed + 1}: unexpected exit {result.ExitCode}: {result.Stderr.Trim()}");
            }

            killed++;
            var key = phase ?? "between experiments";
            phases[key] = phases.GetValueOrDefault(key) + 1;
            CheckAfterKill(repo, initialHead, violations, $"kill {killed} ({key})");
            log($"kill {killed}: {key}");
        }

        var final = PerfloopProcess.Run(repo.Root, "run", "--candidates", repo.Candidates, "--allow-dirty");
        if (final.ExitCode != 0)
        {
            violations.Add($"final run: exit {final.ExitCode}: {final.Stderr.Trim()}");
        }

        CheckCompletedRound(repo, roundStart, violations, "final round");
        return new FaultReport(killed, rounds + 1, phases, violations, watch.Elapsed);
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

    static void CheckAfterKill(TempGitRepository repo, string initialHead, List<string> violations, string when)
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
        Check(!File.Exists(Path.Combine(PerfloopPaths.StateDirectory(repo.Root), "lock")), "the lock is left");
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
            var applied = !row.Reason.StartsWith("patch does not apply", StringComparison.Ordinal) && !row.Reason.Contains("during started", StringComparison.Ordinal);
            Check(!applied || File.Exists(diff), $"experiment {row.Experiment} ({row.StatusText}: {row.Reason}) has no candidate.diff");
        }
    }
}
