using System.Globalization;
using Perfloop.Journal;

namespace Perfloop.Cluster;

/// <summary>
/// A candidate in a what-if run: how long one evaluation takes, its effect on the metric (the same on every base:
/// effects add up), the parts of the code it touches (a patch no longer applies once a kept candidate touched the same
/// part), and whether it crashes (its build fails on every base).
/// </summary>
public sealed record SimulatedCandidate(string Key, double Seconds, double EffectPct, IReadOnlyList<int> Regions, bool Crashes = false);

/// <summary>What a what-if run did: its wall time, the candidates kept in decision order, and the jobs it ran.</summary>
public sealed record SimulationOutcome(double WallSeconds, IReadOnlyList<string> Kept, int Jobs, int Reverifications, int NoLongerApplied, IReadOnlyList<ResultRow> Rows);

/// <summary>
/// Runs the coordinator's decision rule (<see cref="ClusterRule"/>, the same code the coordinator runs) against a
/// simulated cluster of <c>nodes</c> whole nodes, in simulated time: each job waits for a free node, runs for its
/// candidate's duration plus the scheduler's overheads, and returns the verdict its candidate has on that job's base.
/// Deterministic; used by the tests (the rule keeps what the serial loop keeps) and by bench/ (wall time against nodes).
/// </summary>
public static class ClusterSimulator
{
    /// <param name="candidates">The queue, in order.</param>
    /// <param name="nodes">Whole nodes, and jobs in flight.</param>
    /// <param name="thresholdPct">A candidate is kept when it is at least this much faster.</param>
    /// <param name="submitToStartSeconds">Scheduler overhead between submission and start on a free node.</param>
    /// <param name="endToSeenSeconds">Delay between a job's end and the coordinator seeing its result.</param>
    public static SimulationOutcome Run(IReadOnlyList<SimulatedCandidate> candidates, int nodes, double thresholdPct, double submitToStartSeconds = 0, double endToSeenSeconds = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 1);
        const string root = "c0";
        var keptAt = new Dictionary<string, IReadOnlyList<int>> { [root] = [] };
        var journal = ClusterJournal.Start("sim", "sim", nodes, root, candidates.Select((c, i) => new JobCandidate(i, c.Key, c.Key)).ToList(), DateTimeOffset.UnixEpoch);
        var now = 0.0;
        var nodeFreeAt = Enumerable.Repeat(0.0, nodes).ToArray();
        var running = new List<(int Index, int Attempt, double SeenAt, JobFinish Finish)>();
        var rows = new List<ResultRow>();
        int jobs = 0, reverifications = 0, noLongerApplied = 0, experiment = 0;

        while (true)
        {
            switch (ClusterRule.Next(journal))
            {
                case DoneAction:
                    var kept = journal.Candidates.Where(c => c.Decision!.Status == ExperimentStatus.Keep).Select(c => c.Candidate.Key).ToList();
                    return new SimulationOutcome(now, kept, jobs, reverifications, noLongerApplied, rows);

                case DecideAction decide:
                    journal = journal.Deciding(decide.Index, decide.Decision);
                    string? commit = null;
                    if (decide.Decision.Status == ExperimentStatus.Keep)
                    {
                        commit = $"c{keptAt.Count}";
                        keptAt[commit] = [.. keptAt[journal.Head], decide.Index];
                    }

                    if (decide.Decision.Attempt < 0)
                    {
                        noLongerApplied++;
                    }

                    rows.Add(new ResultRow
                    {
                        Experiment = ++experiment,
                        Timestamp = DateTimeOffset.UnixEpoch.AddSeconds(now),
                        Domain = "cpu",
                        Summary = candidates[decide.Index].Key,
                        Status = decide.Decision.Status,
                        Reason = decide.Decision.Reason,
                        Commit = commit ?? journal.Head,
                    });
                    journal = journal.Decided(decide.Index, experiment, commit);
                    break;

                case CheckApplyAction check:
                    journal = journal.Checked(check.Index, new ApplyCheck(check.Head, Conflict(candidates, check.Index, keptAt[check.Head])));
                    break;

                case SubmitAction submit:
                    journal = journal.Submitting(submit.Index, submit.Purpose, submit.Base, DateTimeOffset.UnixEpoch.AddSeconds(now));
                    var attempt = journal.Candidates[submit.Index].Attempts.Count - 1;
                    journal = journal.Submitted(submit.Index, (++jobs).ToString(CultureInfo.InvariantCulture));
                    reverifications += submit.Purpose == JobPurpose.Reverify ? 1 : 0;
                    // The scheduler starts it on the node that frees first (FIFO, as one partition of whole nodes does).
                    var node = Array.IndexOf(nodeFreeAt, nodeFreeAt.Min());
                    var start = Math.Max(now + submitToStartSeconds, nodeFreeAt[node]);
                    var end = start + candidates[submit.Index].Seconds;
                    nodeFreeAt[node] = end;
                    running.Add((submit.Index, attempt, end + endToSeenSeconds, Verdict(candidates, submit.Index, keptAt[submit.Base], thresholdPct)));
                    break;

                case WaitAction:
                    var first = running.MinBy(r => r.SeenAt);
                    running.Remove(first);
                    now = Math.Max(now, first.SeenAt);
                    journal = journal.Finished(first.Index, first.Attempt, first.Finish with { FinishedAt = DateTimeOffset.UnixEpoch.AddSeconds(now) });
                    break;
            }
        }
    }

    /// <summary>The serial loop, written out directly (not through the rule): each candidate measured on the HEAD its predecessors left.</summary>
    public static IReadOnlyList<string> SerialKept(IReadOnlyList<SimulatedCandidate> candidates, double thresholdPct)
    {
        var kept = new List<int>();
        for (var i = 0; i < candidates.Count; i++)
        {
            if (Verdict(candidates, i, kept, thresholdPct).Status == ExperimentStatus.Keep)
            {
                kept.Add(i);
            }
        }

        return kept.Select(i => candidates[i].Key).ToList();
    }

    /// <summary>
    /// A queue like the ones measured on real repositories: durations log-uniform between 6 and 210 s (a small program's
    /// build and bench to a real project's build, oracle, A/B and tests), a quarter of the candidates real improvements
    /// (5–40% faster), the rest no-ops or regressions, each touching one or two of 12 parts of the code, one in 20 crashing.
    /// </summary>
    public static IReadOnlyList<SimulatedCandidate> RealisticQueue(int count, int seed, double minSeconds = 6, double maxSeconds = 210)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i =>
        {
            var seconds = Math.Exp(Math.Log(minSeconds) + (random.NextDouble() * (Math.Log(maxSeconds) - Math.Log(minSeconds))));
            var effect = random.NextDouble() < 0.25 ? -(5 + (random.NextDouble() * 35)) : -3 + (random.NextDouble() * 13);
            var regions = random.NextDouble() < 0.3 ? new[] { random.Next(12), random.Next(12) } : [random.Next(12)];
            var crashes = random.NextDouble() < 0.05;
            return new SimulatedCandidate($"{i:D4}.patch", Math.Round(seconds, 1), Math.Round(effect, 2), regions.Distinct().ToList(), crashes);
        }).ToList();
    }

    static JobFinish Verdict(IReadOnlyList<SimulatedCandidate> candidates, int index, IReadOnlyList<int> keptOnBase, double thresholdPct)
    {
        var candidate = candidates[index];
        if (Conflict(candidates, index, keptOnBase) is { } problem)
        {
            return new JobFinish(ExperimentStatus.Discard, $"patch does not apply: {problem}");
        }

        if (candidate.Crashes)
        {
            return new JobFinish(ExperimentStatus.Crash, "build failed");
        }

        return candidate.EffectPct <= -thresholdPct
            ? new JobFinish(ExperimentStatus.Keep, string.Create(CultureInfo.InvariantCulture, $"improved {candidate.EffectPct:0.#}%"))
            : new JobFinish(ExperimentStatus.Discard, string.Create(CultureInfo.InvariantCulture, $"no significant improvement: {candidate.EffectPct:+0.#;-0.#}%"));
    }

    static string? Conflict(IReadOnlyList<SimulatedCandidate> candidates, int index, IReadOnlyList<int> keptOnBase) =>
        keptOnBase.FirstOrDefault(k => k != index && candidates[k].Regions.Intersect(candidates[index].Regions).Any(), -1) is var other and >= 0
            ? $"conflicts with {candidates[other].Key}"
            : null;
}
