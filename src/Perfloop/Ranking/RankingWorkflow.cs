using Perfloop.Errors;
using Perfloop.Git;
using Perfloop.Processes;

namespace Perfloop.Ranking;

/// <summary>Reads a profile, ranks it against the repository's HEAD and writes <c>.perfloop/bottlenecks.json</c>.</summary>
public static class RankingWorkflow
{
    public sealed record Outcome(BottleneckRanking Ranking, string BottlenecksPath);

    public static async Task<Outcome> RankAsync(IProcessRunner runner, string directory, string profilePath, CancellationToken cancellationToken = default)
    {
        var profileFullPath = Path.GetFullPath(profilePath);
        var (root, _, _) = await LocateAsync(runner, directory, cancellationToken);
        var profile = await ProfileReader.ReadAsync(runner, profileFullPath, root, cancellationToken);
        return await RankAsync(runner, directory, profile, profileFullPath, cancellationToken);
    }

    /// <summary>Ranks a profile already read (a recorder's), recording <paramref name="profilePath"/> as its file.</summary>
    public static async Task<Outcome> RankAsync(IProcessRunner runner, string directory, Profile profile, string profilePath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var profileFullPath = Path.GetFullPath(profilePath);
        var (root, head, committedAt) = await LocateAsync(runner, directory, cancellationToken);
        var ranking = BottleneckRanker.Rank(new RankingInput(profile, profileFullPath, File.GetLastWriteTimeUtc(profileFullPath), root)
        {
            HeadSha = head,
            HeadCommittedAt = committedAt,
        });
        var written = await BottlenecksFile.WriteAsync(root, ranking, cancellationToken);
        return new Outcome(ranking, written);
    }

    /// <summary>
    /// The repository root with HEAD and its commit time; a directory outside git (or without commits) is
    /// still ranked, with no HEAD recorded.
    /// </summary>
    internal static async Task<(string Root, string? Head, DateTimeOffset? CommittedAt)> LocateAsync(IProcessRunner runner, string directory, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(directory))
        {
            throw new PerfloopException($"directory not found: {directory}");
        }

        try
        {
            var repository = await GitRepository.OpenAsync(runner, directory, cancellationToken);
            var (head, committedAt) = await repository.HeadWithTimeAsync(cancellationToken);
            return (repository.Root, head, committedAt);
        }
        catch (PerfloopException)
        {
            return (Path.GetFullPath(directory), null, null);
        }
    }
}
