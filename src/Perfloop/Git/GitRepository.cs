using Perfloop.Errors;
using Perfloop.Processes;

namespace Perfloop.Git;

/// <summary>How one <c>git apply</c> went: whether the patch is in the work tree, and git's messages (which hunk failed where).</summary>
public sealed record PatchApplyAttempt(bool Applied, string Messages);

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

    /// <summary>Applies a patch to the work tree as it stands (<c>git apply</c>, nothing written unless every hunk fits).</summary>
    public async Task<PatchApplyAttempt> ApplyPatchAsync(string patchFile, CancellationToken cancellationToken = default)
    {
        var apply = await Git.TryRunAsync(["apply", "--whitespace=nowarn", patchFile], cancellationToken);
        return new PatchApplyAttempt(apply.Succeeded, apply.StderrText);
    }

    /// <summary>
    /// Applies a patch with a 3-way merge (<c>git apply --3way</c>), as <c>git am -3</c> does when a plain apply
    /// fails: it needs the blobs named on the patch's <c>index</c> lines, which the repository has when the patch was
    /// made on one of its commits. Runs only on a clean work tree; on success the change is left unstaged (like a
    /// plain apply), and on conflicts the tree and index are put back at HEAD, so no conflict marker is ever left.
    /// </summary>
    public async Task<PatchApplyAttempt> ApplyPatchThreeWayAsync(string patchFile, CancellationToken cancellationToken = default)
    {
        if ((await ChangedPathsAsync(cancellationToken)).Count > 0)
        {
            return new PatchApplyAttempt(false, "error: a 3-way apply needs a clean work tree\n");
        }

        var apply = await Git.TryRunAsync(["apply", "--3way", "--whitespace=nowarn", patchFile], cancellationToken);
        if (apply.Succeeded)
        {
            await Git.RunAsync(["reset", "-q"], cancellationToken);
        }
        else
        {
            // The tree was clean before, so this puts back exactly what was there.
            await RestoreAsync(cancellationToken);
        }

        return new PatchApplyAttempt(apply.Succeeded, apply.StderrText);
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

    /// <summary>HEAD and the time it was committed, or nulls in a repository without commits.</summary>
    public async Task<(string? Head, DateTimeOffset? CommittedAt)> HeadWithTimeAsync(CancellationToken cancellationToken = default)
    {
        var show = await Git.TryRunAsync(["show", "-s", "--format=%H%n%cI", "HEAD"], cancellationToken);
        if (!show.Succeeded)
        {
            return (null, null);
        }

        var lines = show.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        DateTimeOffset? committedAt = lines.Length > 1
            && DateTimeOffset.TryParse(lines[1], System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var parsed)
            ? parsed
            : null;
        return (lines[0], committedAt);
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
    /// Makes a commit object of <paramref name="parent"/> plus the work tree's version of <paramref name="paths"/>, in a
    /// temporary index, without touching HEAD, the index or the work tree: the candidate can be checked out and measured
    /// as the commit it would become before anything is kept. The KEEP then only moves HEAD (<see cref="AdvanceHeadAsync"/>).
    /// </summary>
    public async Task<string> CreateCommitAsync(string parent, IReadOnlyList<string> paths, string message, CommitAuthor? author = null, CancellationToken cancellationToken = default)
    {
        var index = await GitPathAsync($"perfloop-index-{Guid.NewGuid():N}", cancellationToken);
        var environment = new Dictionary<string, string?> { ["GIT_INDEX_FILE"] = index };
        if (author is not null)
        {
            // As git am does: the change keeps its author and date; the committer stays the local user.
            environment["GIT_AUTHOR_NAME"] = author.Name;
            environment["GIT_AUTHOR_EMAIL"] = author.Email;
            if (author.Date is { } date)
            {
                // ISO 8601, which git always reads.
                environment["GIT_AUTHOR_DATE"] = date.ToString("yyyy-MM-dd'T'HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        try
        {
            await Git.RunAsync(["read-tree", parent], null, environment, cancellationToken);
            if (paths.Count > 0)
            {
                await Git.RunForBytesAsync(["--literal-pathspecs", "add", "-A", "--pathspec-from-file=-"], GitPaths.PathspecLines(paths), environment, cancellationToken);
            }

            var tree = (await Git.RunAsync(["write-tree"], null, environment, cancellationToken)).Trim();
            var identity = await IdentityArgumentsAsync(cancellationToken);
            return (await Git.RunAsync([.. identity, "commit-tree", tree, "-p", parent, "-F", "-"], message, environment, cancellationToken)).Trim();
        }
        finally
        {
            File.Delete(index);
        }
    }

    /// <summary>
    /// Moves HEAD (the branch it names, or a detached HEAD) from <paramref name="expected"/> to <paramref name="commit"/>
    /// — refused when HEAD moved meanwhile — and makes the index match it; the work tree is left as it is.
    /// </summary>
    public async Task AdvanceHeadAsync(string commit, string expected, CancellationToken cancellationToken = default)
    {
        await Git.RunAsync(["update-ref", "-m", "perfloop: keep", "HEAD", commit, expected], cancellationToken);
        await Git.RunAsync(["reset", "-q"], cancellationToken);
    }

    /// <summary>The ref a bundle of one commit carries; under refs/perfloop/ so it never shows as a branch, and removed right after.</summary>
    public const string BundleRef = "refs/perfloop/cluster-base";

    /// <summary>
    /// Writes a git bundle holding <paramref name="commit"/> and its history to <paramref name="path"/>. git bundles refs,
    /// not bare commits, so the commit gets <see cref="BundleRef"/> for the moment of bundling.
    /// </summary>
    public async Task WriteBundleAsync(string commit, string path, CancellationToken cancellationToken = default)
    {
        await Git.RunAsync(["update-ref", BundleRef, commit], cancellationToken);
        try
        {
            await Git.RunAsync(["bundle", "create", "-q", path, BundleRef], cancellationToken);
        }
        finally
        {
            await Git.TryRunAsync(["update-ref", "-d", BundleRef], CancellationToken.None);
        }
    }

    /// <summary>A new repository in <paramref name="directory"/> with <paramref name="commit"/> of <paramref name="bundle"/> checked out on a branch.</summary>
    public static async Task<GitRepository> CloneFromBundleAsync(IProcessRunner runner, string bundle, string commit, string directory, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(directory);
        var git = new GitCli(runner, directory);
        await git.RunAsync(["init", "-q"], cancellationToken);
        await git.RunAsync(["fetch", "-q", "--no-tags", bundle, $"+{BundleRef}:{BundleRef}"], cancellationToken);
        await git.RunAsync(["checkout", "-q", "-B", "perfloop-job", commit], cancellationToken);
        return await OpenAsync(runner, directory, cancellationToken);
    }

    /// <summary>Points HEAD at <paramref name="branch"/> again without touching the index or the files.</summary>
    public Task PointHeadAtBranchAsync(string branch, CancellationToken cancellationToken = default) =>
        Git.RunAsync(["symbolic-ref", "HEAD", $"refs/heads/{branch}"], cancellationToken);

    /// <summary>Takes back the commits made after <paramref name="commit"/> (HEAD moves back) while their changes stay in the work tree, unstaged.</summary>
    public async Task UncommitSinceAsync(string commit, CancellationToken cancellationToken = default)
    {
        await Git.RunAsync(["reset", "-q", "--soft", commit], cancellationToken);
        await Git.RunAsync(["reset", "-q"], cancellationToken);
    }

    /// <summary>The full message of <paramref name="commit"/>.</summary>
    public Task<string> MessageAsync(string commit, CancellationToken cancellationToken = default) =>
        Git.RunAsync(["log", "-1", "--format=%B", commit], cancellationToken);

    /// <summary>The subject of <paramref name="commit"/>, or "" when it cannot be read.</summary>
    public async Task<string> SubjectAsync(string commit, CancellationToken cancellationToken = default)
    {
        var subject = await Git.TryRunAsync(["log", "-1", "--format=%s", commit], cancellationToken);
        return subject.Succeeded ? subject.StdoutText.Trim() : "";
    }

    /// <summary>The commit a revision names (a commit, branch or tag), or null when there is none.</summary>
    public async Task<string?> ResolveCommitAsync(string revision, CancellationToken cancellationToken = default)
    {
        var resolved = await Git.TryRunAsync(["rev-parse", "--verify", "-q", "--end-of-options", revision + "^{commit}"], cancellationToken);
        return resolved.Succeeded ? resolved.StdoutText.Trim() : null;
    }

    /// <summary>Every file of <paramref name="commit"/>'s tree.</summary>
    public async Task<IReadOnlyList<string>> FilesAtAsync(string commit, CancellationToken cancellationToken = default) =>
        GitCli.SplitNul(await Git.RunAsync(["ls-tree", "-r", "-z", "--name-only", commit], cancellationToken));

    /// <summary>The files that differ between two commits (no rename detection).</summary>
    public async Task<IReadOnlyList<string>> FilesChangedAsync(string from, string to, CancellationToken cancellationToken = default) =>
        GitCli.SplitNul(await Git.RunAsync(["diff", "--name-only", "-z", "--no-renames", from, to], cancellationToken));

    /// <summary>The diff between two commits with no context lines.</summary>
    public Task<string> DiffWithoutContextAsync(string from, string to, CancellationToken cancellationToken = default) =>
        Git.RunAsync(["diff", "--no-renames", "-U0", from, to], cancellationToken);

    /// <summary>Whether <paramref name="text"/> appears literally in a file of <paramref name="commit"/> other than <paramref name="exceptFile"/>.</summary>
    public async Task<bool> ContainsTextAsync(string commit, string text, string exceptFile, CancellationToken cancellationToken = default)
    {
        // git grep exits 1 when nothing matches.
        var found = await Git.TryRunAsync(["grep", "-q", "-F", "-e", text, commit, "--", ".", ":!" + exceptFile], cancellationToken);
        return found.Succeeded;
    }

    /// <summary>The local branches under <paramref name="prefix"/> (e.g. "perfloop/"), by short name.</summary>
    public async Task<IReadOnlyList<string>> BranchesAsync(string prefix, CancellationToken cancellationToken = default) =>
        (await Git.RunAsync(["for-each-ref", "--format=%(refname:short)", "refs/heads/" + prefix], cancellationToken)).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Creates branch <paramref name="name"/> at <paramref name="commit"/> without checking it out.</summary>
    public Task CreateBranchAsync(string name, string commit, CancellationToken cancellationToken = default) =>
        Git.RunAsync(["branch", name, commit], cancellationToken);

    /// <summary>The parent of <paramref name="commit"/>.</summary>
    public async Task<string> ParentAsync(string commit, CancellationToken cancellationToken = default) =>
        (await Git.RunAsync(["rev-parse", commit + "^"], cancellationToken)).Trim();

    /// <summary>The files two commits differ in, or empty when that cannot be told (an unknown commit).</summary>
    public async Task<IReadOnlyList<string>> FilesChangedOrNoneAsync(string from, string to, CancellationToken cancellationToken = default)
    {
        var touched = await Git.TryRunAsync(["diff", "--name-only", "--no-renames", from, to], cancellationToken);
        return touched.Succeeded ? touched.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries) : [];
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
    /// git knowing it; a killed run in a repository deleted since leaves one nobody would prune. Old enough ones (no
    /// add takes minutes) that git does not list, or whose repository is gone, are deleted.
    /// </summary>
    void RemoveUnregisteredWorktreeDirectories(HashSet<string> registered)
    {
        if (!Directory.Exists(Worktree.TempRoot))
        {
            return;
        }

        var old = DateTime.UtcNow.AddMinutes(-10);
        foreach (var directory in Directory.EnumerateDirectories(Worktree.TempRoot))
        {
            var ours = Path.GetFileName(directory).StartsWith(Path.GetFileName(Root) + "-", StringComparison.Ordinal);
            if (Directory.GetLastWriteTimeUtc(directory) < old && (ours ? !registered.Contains(directory) : BelongsToNoRepository(directory)))
            {
                try
                {
                    Directory.Delete(directory, recursive: true);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Another user's or a vanishing directory: not this run's to force.
                }
            }
        }
    }

    /// <summary>
    /// A worktree whose repository was deleted (a killed run in a repository removed since) is pruned by no one:
    /// its <c>.git</c> file names a git directory that is gone, or it never got one.
    /// </summary>
    static bool BelongsToNoRepository(string directory)
    {
        var link = Path.Combine(directory, ".git");
        if (!File.Exists(link))
        {
            return !Directory.Exists(link);
        }

        try
        {
            var text = File.ReadAllText(link).Trim();
            return text.StartsWith("gitdir: ", StringComparison.Ordinal) && !Directory.Exists(text["gitdir: ".Length..]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Unreadable (another user's) or gone meanwhile: not proven an orphan, so left alone.
            return false;
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

/// <summary>
/// Who wrote a change, as git records it: name and email, and the date it was written (null when unknown; the commit
/// then gets the time it is made).
/// </summary>
public sealed record CommitAuthor(string Name, string Email, DateTimeOffset? Date);

/// <summary>A git operation stopped half-way, and how the user ends it.</summary>
public sealed record GitOperation(string Name, string HowToEnd);
