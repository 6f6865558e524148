using Perfloop.Git;
using Perfloop.IntegrationTests.Fixtures;
using Perfloop.Processes;

namespace Perfloop.IntegrationTests.Reliability;

/// <summary>
/// A run killed while it held a worktree, in a repository deleted since, leaves a directory in Perfloop's temp area
/// that no repository's prune would name. The next prune of any repository removes it once it is old enough, and
/// leaves alone what still belongs to a living repository or may be a worktree being added right now.
/// </summary>
public sealed class OrphanWorktreeTests : IDisposable
{
    readonly TempGitRepository repo = new();
    readonly TempGitRepository other = new();
    readonly List<string> made = [];

    public OrphanWorktreeTests()
    {
        repo.Write("a.txt", "a\n");
        repo.CommitAll("a");
        other.Write("b.txt", "b\n");
        other.CommitAll("b");
    }

    public void Dispose()
    {
        foreach (var directory in made.Where(Directory.Exists))
        {
            Directory.Delete(directory, recursive: true);
        }

        repo.Dispose();
        other.Dispose();
    }

    string Make(string name, string? gitFile, TimeSpan age)
    {
        var directory = Path.Combine(Worktree.TempRoot, $"orphan-test-{Guid.NewGuid():N}-{name}");
        Directory.CreateDirectory(directory);
        made.Add(directory);
        File.WriteAllText(Path.Combine(directory, "work.c"), "int main(void) { return 0; }\n");
        if (gitFile is not null)
        {
            File.WriteAllText(Path.Combine(directory, ".git"), gitFile);
        }

        Directory.SetLastWriteTimeUtc(directory, DateTime.UtcNow - age);
        return directory;
    }

    [Fact]
    public async Task Old_worktrees_of_deleted_repositories_go_and_everything_else_stays()
    {
        var gone = Make("gone", "gitdir: /nonexistent/perfloop-deleted-repo/.git/worktrees/x\n", TimeSpan.FromHours(1));
        var neverRegistered = Make("empty", null, TimeSpan.FromHours(1));
        var fresh = Make("fresh", "gitdir: /nonexistent/perfloop-deleted-repo/.git/worktrees/y\n", TimeSpan.Zero);
        var living = Make("living", $"gitdir: {Path.Combine(other.Root, ".git")}\n", TimeSpan.FromHours(1));
        await using var othersWorktree = await (await GitRepository.OpenAsync(new ProcessRunner(), other.Root)).AddWorktreeAsync(other.Git("rev-parse", "HEAD").Trim());
        Directory.SetLastWriteTimeUtc(othersWorktree.Directory, DateTime.UtcNow.AddHours(-1));

        await (await GitRepository.OpenAsync(new ProcessRunner(), repo.Root)).PruneWorktreesAsync();

        Assert.False(Directory.Exists(gone), "a worktree of a deleted repository stayed");
        Assert.False(Directory.Exists(neverRegistered), "a directory a killed 'worktree add' left stayed");
        Assert.True(Directory.Exists(fresh), "a worktree that may be being added right now was deleted");
        Assert.True(Directory.Exists(living), "a directory of a living repository was deleted");
        Assert.True(Directory.Exists(othersWorktree.Directory), "another repository's worktree was deleted");
    }
}
