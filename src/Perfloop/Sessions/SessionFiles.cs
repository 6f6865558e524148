using Perfloop.Configuration;
using Perfloop.Errors;
using Perfloop.Git;
using Perfloop.Journal;
using Perfloop.Policies;

namespace Perfloop.Sessions;

/// <summary>
/// The reads and writes the loop's judgement needs, kept out of the pure policies: the history of the repository, the
/// ranking, and the session-end documents (learnings appended, handoff replaced).
/// </summary>
public static class SessionFiles
{
    /// <summary>The history review from one git log call over the experiment commits and the results rows.</summary>
    public static async Task<HistoryReview> ReadHistoryAsync(GitRepository repository, IReadOnlyList<ResultRow> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var log = await repository.Git.TryRunAsync(HistoryReview.GitLogArguments(null), null, HistoryReview.MaxLogBytes, cancellationToken);
        // A repository without commits has no history to review; that is not an error here. A log beyond the cap
        // is cut at the last whole commit: the review then covers the most recent experiments, which matter most.
        var commits = log.Succeeded ? HistoryReview.ParseLog(log.OutputTruncated ? HistoryReview.CutAtLastRecord(log.StdoutText) : log.StdoutText) : [];
        return HistoryReview.Build(commits, rows, HistoryReview.DefaultThreshold);
    }

    /// <summary>The ranked targets of <c>.perfloop/bottlenecks.json</c> when it exists; a file of another schema is an error naming it.</summary>
    public static RankingSnapshot LoadRanking(string repositoryRoot)
    {
        var path = RankingSnapshot.PathIn(repositoryRoot);
        return File.Exists(path) ? RankingSnapshot.Parse(File.ReadAllText(path), path) : RankingSnapshot.Empty;
    }

    /// <summary>Writes both session-end documents: learnings are appended, the handoff replaced.</summary>
    public static void WriteSessionEnd(string root, SessionFacts facts)
    {
        Directory.CreateDirectory(PerfloopPaths.StateDirectory(root));
        var learnings = SessionEnd.LearningsPath(root);
        var separator = File.Exists(learnings) && new FileInfo(learnings).Length > 0 ? "\n" : "";
        File.AppendAllText(learnings, separator + Mention.ForCommandLine(SessionEnd.Learnings(facts)));
        Storage.AtomicFile.WriteAllText(SessionEnd.HandoffPath(root), Mention.ForCommandLine(SessionEnd.Handoff(facts)));
    }

    /// <summary>What a new run picked up from the previous session's documents; null when there are none.</summary>
    public static string? Pickup(string root) =>
        SessionEnd.Pickup(ReadIfExists(SessionEnd.HandoffPath(root)), ReadIfExists(SessionEnd.LearningsPath(root)));

    static string? ReadIfExists(string path) => File.Exists(path) ? File.ReadAllText(path) : null;
}
