namespace Perfloop.Git;

/// <summary>A detached checkout of one commit in Perfloop's temp area; disposing removes it.</summary>
public sealed class Worktree(GitRepository repository, string directory, string commit) : IAsyncDisposable
{
    /// <summary>All of Perfloop's worktrees live here, so leftovers of a killed run can be found and pruned.</summary>
    public static string TempRoot { get; } = Path.Combine(Path.GetTempPath(), "perfloop-worktrees");

    public string Directory { get; } = directory;

    public string Commit { get; } = commit;

    public ValueTask DisposeAsync() => new(repository.RemoveWorktreeAsync(Directory));
}
