using Perfloop.Errors;
using Perfloop.Processes;

namespace Perfloop.Git;

/// <summary>The operations the loop needs on the user's repository; never pushes, fetches or rewrites history.</summary>
public sealed class GitRepository
{
    readonly IProcessRunner runner;

    GitRepository(IProcessRunner runner, string root)
    {
        this.runner = runner;
        Root = root;
        Git = new GitCli(runner, root);
    }

    public string Root { get; }

    public GitCli Git { get; }

    /// <summary>Finds the repository that holds <paramref name="directory"/>; exit 2 when there is none.</summary>
    public static async Task<GitRepository> OpenAsync(IProcessRunner runner, string directory, CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(directory))
        {
            throw new PerfloopException($"directory not found: {directory}");
        }

        var probe = new GitCli(runner, directory);
        var bare = await probe.TryRunAsync(["rev-parse", "--is-bare-repository"], cancellationToken);
        if (!bare.Succeeded)
        {
            throw new PerfloopException($"not a git repository: {Path.GetFullPath(directory)}; run perfloop inside a git work tree (git init)");
        }

        if (bare.StdoutText.Trim() == "true")
        {
            throw new PerfloopException($"{Path.GetFullPath(directory)} is a bare repository; run perfloop in a work tree (git worktree add or clone it)");
        }

        var top = await probe.TryRunAsync(["rev-parse", "--show-toplevel"], cancellationToken);
        if (!top.Succeeded || string.IsNullOrWhiteSpace(top.StdoutText))
        {
            throw new PerfloopException($"{Path.GetFullPath(directory)} is inside a git directory, not a work tree; cd to the work tree");
        }

        return new GitRepository(runner, top.StdoutText.Trim());
    }

    public async Task<string> HeadAsync(CancellationToken cancellationToken = default)
    {
        var result = await Git.TryRunAsync(["rev-parse", "--verify", "-q", "HEAD^{commit}"], cancellationToken);
        if (!result.Succeeded)
        {
            throw new PerfloopException($"the repository at {Root} has no commits yet; commit your code first (git add -A && git commit)");
        }

        return result.StdoutText.Trim();
    }

    /// <summary>The branch name, or null on a detached HEAD.</summary>
    public async Task<string?> BranchAsync(CancellationToken cancellationToken = default)
    {
        var result = await Git.TryRunAsync(["symbolic-ref", "-q", "--short", "HEAD"], cancellationToken);
        return result.Succeeded ? result.StdoutText.Trim() : null;
    }

    /// <summary>
    /// Paths with uncommitted changes (tracked or untracked, ignored files excluded), read from git's raw bytes: a
    /// name that is not valid UTF-8 comes back in git's quoted form (<see cref="GitPaths"/>), never mangled.
    /// </summary>
    public async Task<IReadOnlyList<string>> ChangedPathsAsync(CancellationToken cancellationToken = default)
    {
        var output = await Git.RunForBytesAsync(["status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames"], null, null, cancellationToken);
        // Each entry is "XY path"; with -z and --no-renames there are no second paths.
        var paths = new List<string>();
        var rest = output.AsSpan();
        while (rest.Length > 0)
        {
            var end = rest.IndexOf((byte)0);
            var entry = end < 0 ? rest : rest[..end];
            if (entry.Length > 3)
            {
                paths.Add(GitPaths.FromBytes(entry[3..]));
            }

            rest = end < 0 ? [] : rest[(end + 1)..];
        }

        return paths;
    }

    /// <summary>
    /// The git operation stopped half-way in this work tree (rebase, am, merge, cherry-pick, revert, bisect), or null.
    /// The loop must not run inside one: a rebase stopped at <c>edit</c> looks like a detached HEAD and would get
    /// Perfloop's commits, and a stash during a merge drops MERGE_HEAD.
    /// </summary>
    public async Task<GitOperation?> InProgressOperationAsync(CancellationToken cancellationToken = default)
    {
        string[] names = ["rebase-merge", "rebase-apply", "MERGE_HEAD", "CHERRY_PICK_HEAD", "REVERT_HEAD", "sequencer", "BISECT_LOG"];
        var output = await Git.RunAsync(["rev-parse", .. names.SelectMany(n => new[] { "--git-path", n })], cancellationToken);
        var paths = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => Path.IsPathRooted(p) ? p : Path.GetFullPath(Path.Combine(Root, p)))
            .ToList();
        if (paths.Count != names.Length)
        {
            return null;
        }

        bool Exists(int i) => File.Exists(paths[i]) || Directory.Exists(paths[i]);
        if (Exists(0) || (Exists(1) && !File.Exists(Path.Combine(paths[1], "applying"))))
        {
            return new GitOperation("rebase", "finish it with 'git rebase --continue' or undo it with 'git rebase --abort'");
        }

        if (Exists(1))
        {
            return new GitOperation("git am", "finish it with 'git am --continue' or undo it with 'git am --abort'");
        }

        if (Exists(2))
        {
            return new GitOperation("merge", "finish it with 'git commit' or undo it with 'git merge --abort'");
        }

        if (Exists(3))
        {
            return new GitOperation("cherry-pick", "finish it with 'git cherry-pick --continue' or undo it with 'git cherry-pick --abort'");
        }

        if (Exists(4))
        {
            return new GitOperation("revert", "finish it with 'git revert --continue' or undo it with 'git revert --abort'");
        }

        if (Exists(5))
        {
            return new GitOperation("cherry-pick or revert sequence", "finish it with 'git cherry-pick --continue' (or 'git revert --continue') or end it with '--quit'");
        }

        return Exists(6) ? new GitOperation("bisect", "end it with 'git bisect reset'") : null;
    }

    /// <summary>Refuses (exit 2, one line) to work inside a stopped git operation; see <see cref="InProgressOperationAsync"/>.</summary>
    public async Task EnsureNoOperationInProgressAsync(CancellationToken cancellationToken = default)
    {
        if (await InProgressOperationAsync(cancellationToken) is { } operation)
        {
            throw new PerfloopException($"a {operation.Name} is in progress in {Root}; {operation.HowToEnd}, then run perfloop again — it will not commit into or stash over a half-done {operation.Name}");
        }
    }

    public async Task<string> GitPathAsync(string name, CancellationToken cancellationToken = default)
    {
        var path = (await Git.RunAsync(["rev-parse", "--git-path", name], cancellationToken)).Trim();
        return Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(Root, path));
    }

    /// <summary>Makes git ignore <paramref name="pattern"/> locally (.git/info/exclude), once.</summary>
    public async Task ExcludeAsync(string pattern, CancellationToken cancellationToken = default)
    {
        var exclude = await GitPathAsync("info/exclude", cancellationToken);
        Directory.CreateDirectory(Path.GetDirectoryName(exclude)!);
        var existing = File.Exists(exclude) ? await File.ReadAllLinesAsync(exclude, cancellationToken) : [];
        if (existing.Any(l => l.Trim() == pattern))
        {
            return;
        }

        var prefix = existing.Length > 0 && !File.ReadAllText(exclude).EndsWith('\n') ? "\n" : "";
        await File.AppendAllTextAsync(exclude, $"{prefix}{pattern}\n", cancellationToken);
    }

    /// <summary>Checks and applies a patch to the work tree; returns null on success or git's reason.</summary>
    public async Task<string?> ApplyPatchAsync(string patchFile, CancellationToken cancellationToken = default)
    {
        var check = await Git.TryRunAsync(["apply", "--check", "--whitespace=nowarn", patchFile], cancellationToken);
        if (!check.Succeeded)
        {
            return GitCli.FirstLine(check.StderrText);
        }

        var apply = await Git.TryRunAsync(["apply", "--whitespace=nowarn", patchFile], cancellationToken);
        return apply.Succeeded ? null : GitCli.FirstLine(apply.StderrText);
    }

    /// <summary>
    /// The diff of <paramref name="paths"/> (as <see cref="ChangedPathsAsync"/> gives them) against HEAD, new files
    /// included, in a form git apply takes back. The paths are staged into a throw-away index, so the real index is
    /// never touched (a kill half-way leaves no intent-to-add entries behind), and reach git byte for byte.
    /// </summary>
    public Task<string> DiffAgainstHeadAsync(IReadOnlyList<string> paths, CancellationToken cancellationToken = default) =>
        DiffOfPathsAsync(paths, ["--binary"], [], cancellationToken);

    /// <summary>
    /// <c>git [gitOptions] diff --cached [diffOptions] HEAD</c> over <paramref name="paths"/> staged into a throw-away
    /// index: new files included, names byte-exact, the real index untouched.
    /// </summary>
    public async Task<string> DiffOfPathsAsync(IReadOnlyList<string> paths, IReadOnlyList<string> diffOptions, IReadOnlyList<string> gitOptions, CancellationToken cancellationToken = default)
    {
        if (paths.Count == 0)
        {
            return "";
        }

        var index = await GitPathAsync($"perfloop-diff-index-{Guid.NewGuid():N}", cancellationToken);
        var environment = new Dictionary<string, string?> { ["GIT_INDEX_FILE"] = index };
        try
        {
            await Git.RunForBytesAsync(["read-tree", "HEAD"], null, environment, cancellationToken);
            await Git.RunForBytesAsync(["--literal-pathspecs", "add", "-A", "--pathspec-from-file=-"], GitPaths.PathspecLines(paths), environment, cancellationToken);
            // Quoted path names keep the diff's headers ASCII whatever the user's core.quotePath says.
            var diff = await Git.RunForBytesAsync([.. gitOptions, "-c", "core.quotePath=true", "diff", "--cached", "--no-color", "--no-ext-diff", .. diffOptions, "HEAD"], null, environment, cancellationToken);
            return System.Text.Encoding.UTF8.GetString(diff);
        }
        finally
        {
            File.Delete(index);
            File.Delete(index + ".lock");
        }
    }

    /// <summary>
    /// Puts the work tree back exactly at HEAD: tracked files reset, files the candidate created removed.
    /// Ignored files (build output, .perfloop/) are left alone.
    /// </summary>
    public async Task RestoreAsync(CancellationToken cancellationToken = default)
    {
        await Git.RunAsync(["reset", "-q", "--hard", "HEAD"], cancellationToken);
        await Git.RunAsync(["clean", "-q", "-f", "-d"], cancellationToken);
    }

    /// <summary>
    /// Commits exactly <paramref name="paths"/> (as <see cref="ChangedPathsAsync"/> gives them: byte-exact, no glob
    /// meaning) with <paramref name="message"/>; returns the new commit. No hook of the user's runs (<see cref="NoHooks"/>).
    /// </summary>
    public async Task<string> CommitAsync(IReadOnlyList<string> paths, string message, CancellationToken cancellationToken = default)
    {
        if (paths.Count == 0)
        {
            throw new ArgumentException("a commit needs at least one path", nameof(paths));
        }

        await Git.RunForBytesAsync(["--literal-pathspecs", "add", "-A", "--pathspec-from-file=-"], GitPaths.PathspecLines(paths), null, cancellationToken);
        var identity = await IdentityArgumentsAsync(cancellationToken);
        await Git.RunWithInputAsync([.. NoHooks, .. identity, "commit", "-q", "--no-verify", "-F", "-"], message, cancellationToken);
        return await HeadAsync(cancellationToken);
    }

    /// <summary>
    /// A KEEP commit runs none of the user's hooks. --no-verify skips pre-commit and commit-msg only; prepare-commit-msg
    /// and post-commit would still run. A hook that reformats or regenerates files would commit code other than the
    /// code measured, one that refuses the message would lose a verified KEEP, one that pushes would break "no network".
    /// The checks a hook makes belong in the guard, which runs on exactly the measured tree.
    /// </summary>
    internal static IReadOnlyList<string> NoHooks { get; } = ["-c", "core.hooksPath=/dev/null"];

    /// <summary>The user's identity when configured; otherwise a neutral one so a fresh CI machine can still commit.</summary>
    async Task<IReadOnlyList<string>> IdentityArgumentsAsync(CancellationToken cancellationToken)
    {
        var name = await Git.TryRunAsync(["config", "user.name"], cancellationToken);
        var email = await Git.TryRunAsync(["config", "user.email"], cancellationToken);
        var arguments = new List<string>();
        if (!name.Succeeded || string.IsNullOrWhiteSpace(name.StdoutText))
        {
            arguments.AddRange(["-c", "user.name=Perfloop"]);
        }

        if (!email.Succeeded || string.IsNullOrWhiteSpace(email.StdoutText))
        {
            arguments.AddRange(["-c", "user.email=perfloop@localhost"]);
        }

        return arguments;
    }

    /// <summary>Makes <paramref name="directory"/> a new repository whose first commit holds all its files.</summary>
    public static async Task<GitRepository> InitAndCommitAllAsync(IProcessRunner runner, string directory, string message, CancellationToken cancellationToken = default)
    {
        var git = new GitCli(runner, directory);
        await git.RunAsync(["init", "-q", "-b", "main"], cancellationToken);
        var repository = await OpenAsync(runner, directory, cancellationToken);
        await git.RunAsync(["add", "-A"], cancellationToken);
        var identity = await repository.IdentityArgumentsAsync(cancellationToken);
        await git.RunWithInputAsync([.. identity, "commit", "-q", "--no-verify", "-F", "-"], message, cancellationToken);
        return repository;
    }

    public async Task<Worktree> AddWorktreeAsync(string commit, CancellationToken cancellationToken = default)
    {
        var name = $"{Path.GetFileName(Root)}-{commit[..Math.Min(12, commit.Length)]}-{Guid.NewGuid().ToString("N")[..8]}";
        var directory = Path.Combine(Worktree.TempRoot, name);
        Directory.CreateDirectory(Worktree.TempRoot);
        try
        {
            await Git.RunAsync(["worktree", "add", "-q", "--detach", directory, commit], cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // A Ctrl-C in the middle of the checkout: what git registered and wrote so far goes, not left for the next run.
            await RemoveWorktreeAsync(directory);
            throw;
        }

        return new Worktree(this, directory, commit);
    }

    /// <summary>Removes worktrees a killed run left behind in Perfloop's temp area, then lets git forget missing ones.</summary>
    public async Task PruneWorktreesAsync(CancellationToken cancellationToken = default)
    {
        var list = await Git.TryRunAsync(["worktree", "list", "--porcelain", "-z"], cancellationToken);
        if (list.Succeeded)
        {
            foreach (var entry in GitCli.SplitNul(list.StdoutText))
            {
                if (entry.StartsWith("worktree ", StringComparison.Ordinal))
                {
                    var path = entry["worktree ".Length..];
                    if (path.StartsWith(Worktree.TempRoot, StringComparison.Ordinal))
                    {
                        await RemoveWorktreeAsync(path);
                    }
                }
            }
        }

        await Git.TryRunAsync(["worktree", "prune"], cancellationToken);
        var after = await Git.TryRunAsync(["worktree", "list", "--porcelain", "-z"], cancellationToken);
        if (after.Succeeded)
        {
            RemoveUnregisteredWorktreeDirectories(GitCli.SplitNul(after.StdoutText)
                .Where(e => e.StartsWith("worktree ", StringComparison.Ordinal))
                .Select(e => e["worktree ".Length..])
                .ToHashSet(StringComparer.Ordinal));
        }
    }

    /// <summary>
    /// A run killed inside <c>git worktree add</c> can leave this repository's directory in the temp area without
    /// git knowing it. Old enough ones (no add takes minutes) that git does not list are deleted.
    /// </summary>
    void RemoveUnregisteredWorktreeDirectories(HashSet<string> registered)
    {
        if (!Directory.Exists(Worktree.TempRoot))
        {
            return;
        }

        foreach (var directory in Directory.EnumerateDirectories(Worktree.TempRoot, Path.GetFileName(Root) + "-*"))
        {
            if (!registered.Contains(directory) && Directory.GetLastWriteTimeUtc(directory) < DateTime.UtcNow.AddMinutes(-10))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    internal async Task RemoveWorktreeAsync(string directory)
    {
        // Twice --force: a 'worktree add' cut short leaves its worktree locked ("initializing"), which one --force keeps.
        await Git.TryRunAsync(["worktree", "remove", "--force", "--force", directory], CancellationToken.None);
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        await Git.TryRunAsync(["worktree", "unlock", directory], CancellationToken.None);
        await Git.TryRunAsync(["worktree", "prune"], CancellationToken.None);
    }

    public IProcessRunner Runner => runner;
}

/// <summary>A git operation stopped half-way, and how the user ends it.</summary>
public sealed record GitOperation(string Name, string HowToEnd);
