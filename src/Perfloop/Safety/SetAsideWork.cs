using System.Globalization;
using System.Text.Json;
using Perfloop.Configuration;
using Perfloop.Errors;
using Perfloop.Git;
using Perfloop.Storage;

namespace Perfloop.Safety;

/// <summary>What <see cref="SetAsideWork"/> reports after giving the user's changes back.</summary>
public sealed record SetAsideOutcome(bool Restored, string Message);

/// <summary>
/// <c>--allow-dirty</c>: the user's uncommitted changes (untracked files included) are put in a git stash whose
/// message names Perfloop and a unique id, and given back when the loop ends — also on the next perfloop command
/// after a crash. The id is written to <c>.perfloop/set-aside.json</c> <em>before</em> stashing, so a kill at any
/// moment leaves either the changes in the tree or a stash that the marker finds. Ignored files are never touched.
/// </summary>
public static class SetAsideWork
{
    const string MessagePrefix = "perfloop: your uncommitted changes, set aside by";

    sealed record Marker(string Id, string Purpose, DateTimeOffset At);

    public static string MarkerPath(string repositoryRoot) => Path.Combine(PerfloopPaths.StateDirectory(repositoryRoot), "set-aside.json");

    /// <summary>True when a previous command set changes aside that were not given back yet.</summary>
    public static bool Pending(string repositoryRoot) => File.Exists(MarkerPath(repositoryRoot));

    /// <summary>Stashes the user's changes; returns a line to report, or null when the tree was clean.</summary>
    public static async Task<string?> SetAsideAsync(GitRepository repository, string purpose, TimeProvider clock, CancellationToken cancellationToken)
    {
        // A stash during a merge or rebase would drop MERGE_HEAD and the staged resolution with it.
        await repository.EnsureNoOperationInProgressAsync(cancellationToken);
        var dirty = await repository.ChangedPathsAsync(cancellationToken);
        if (dirty.Count == 0)
        {
            return null;
        }

        if (dirty.Contains(PerfloopConfig.FileName))
        {
            throw new PerfloopException(
                $"{PerfloopConfig.FileName} has uncommitted changes; commit it first (git add {PerfloopConfig.FileName} && git commit -m \"perfloop config\") — --allow-dirty sets aside other files, never the setup being measured");
        }

        if (Pending(repository.Root))
        {
            throw new PerfloopException($"changes set aside by an earlier perfloop are still pending ({MarkerPath(repository.Root)}); run 'perfloop status' or restore them with 'git stash list' first");
        }

        var now = clock.GetUtcNow();
        var marker = new Marker($"{now:yyyyMMddTHHmmss}-{Guid.NewGuid().ToString("N")[..8]}", purpose, now);
        Directory.CreateDirectory(PerfloopPaths.StateDirectory(repository.Root));
        AtomicFile.WriteAllText(MarkerPath(repository.Root), JsonSerializer.Serialize(marker, JsonFormats.State));
        var message = $"{MessagePrefix} {purpose} [{marker.Id}]";
        await repository.Git.RunAsync(["stash", "push", "--include-untracked", "--quiet", "-m", message], cancellationToken);
        var left = await repository.ChangedPathsAsync(cancellationToken);
        if (left.Count > 0)
        {
            // The stash holds everything; a file git could not stash (e.g. a nested repository) is left as it was.
            var first = GitPaths.Display(left[0]);
            throw new PerfloopException($"--allow-dirty could not set aside {first}; your other changes are in 'git stash list' ({message}); commit or move {first} and run again", ExitCodes.Failure);
        }

        return string.Create(CultureInfo.InvariantCulture, $"set aside your uncommitted changes ({dirty.Count} path(s)) in git stash \"{message}\"; they come back when perfloop ends");
    }

    /// <summary>
    /// Gives back changes set aside earlier, onto the current (clean) tree. When they no longer apply (a kept
    /// commit changed the same lines), the tree is put back at HEAD and the stash stays for the user to apply.
    /// Returns null when nothing was set aside.
    /// </summary>
    public static async Task<SetAsideOutcome?> RestoreAsync(GitRepository repository, CancellationToken cancellationToken)
    {
        var path = MarkerPath(repository.Root);
        if (!File.Exists(path))
        {
            return null;
        }

        Marker? marker;
        try
        {
            marker = JsonSerializer.Deserialize<Marker>(await File.ReadAllTextAsync(path, cancellationToken), JsonFormats.State);
        }
        catch (JsonException)
        {
            marker = null;
        }

        if (marker is null)
        {
            throw new PerfloopException($"{path} is damaged; your set-aside changes are in 'git stash list' under \"{MessagePrefix} …\"; apply them with 'git stash apply' and delete {path}");
        }

        var stash = await FindStashAsync(repository, marker.Id, cancellationToken);
        if (stash is null)
        {
            // The run was stopped before the stash was made: the changes never left the tree.
            File.Delete(path);
            return new SetAsideOutcome(true, "your uncommitted changes were never set aside; nothing to give back");
        }

        if ((await repository.ChangedPathsAsync(cancellationToken)).Count > 0)
        {
            // Only an earlier give-back killed between its apply and its drop leaves the tree dirty here.
            if (await TreeMatchesAsync(repository, stash.Value.Commit, cancellationToken))
            {
                await repository.Git.TryRunAsync(["stash", "drop", "--quiet", stash.Value.Name], cancellationToken);
                File.Delete(path);
                return new SetAsideOutcome(true, "gave back your uncommitted changes (set aside at the start)");
            }

            File.Delete(path);
            return new SetAsideOutcome(false,
                $"the work tree already has uncommitted changes, so your set-aside changes were not applied over them; they are safe in {stash.Value.Name} — apply them with 'git stash apply {stash.Value.Name}'");
        }

        var apply = await repository.Git.TryRunAsync(["stash", "apply", "--quiet", stash.Value.Commit], cancellationToken);
        if (!apply.Succeeded)
        {
            // Whatever apply wrote half-way is also in the stash; the tree goes back to HEAD so nothing is mixed.
            await repository.RestoreAsync(cancellationToken);
            File.Delete(path);
            return new SetAsideOutcome(false,
                $"your set-aside changes no longer apply cleanly on top of the kept commits ({GitCli.FirstLine(apply.StderrText)}); they are safe in {stash.Value.Name} — apply them with 'git stash apply {stash.Value.Name}'");
        }

        await repository.Git.TryRunAsync(["stash", "drop", "--quiet", stash.Value.Name], cancellationToken);
        File.Delete(path);
        return new SetAsideOutcome(true, "gave back your uncommitted changes (set aside at the start)");
    }

    /// <summary>True when the work tree holds exactly the stash's changes: tracked files and its untracked files.</summary>
    static async Task<bool> TreeMatchesAsync(GitRepository repository, string stash, CancellationToken cancellationToken)
    {
        var now = (await repository.Git.RunAsync(["stash", "create"], cancellationToken)).Trim();
        var nowTree = now.Length == 0 ? await TreeOfAsync(repository, "HEAD", cancellationToken) : await TreeOfAsync(repository, now, cancellationToken);
        if (nowTree != await TreeOfAsync(repository, stash, cancellationToken))
        {
            return false;
        }

        var untracked = new List<(string Blob, string Path)>();
        if (await StashHasUntrackedAsync(repository, stash, cancellationToken))
        {
            // "<mode> blob <sha>\t<path>" entries; the path's raw bytes are kept exact (GitPaths).
            foreach (var entry in SplitNulBytes(await repository.Git.RunForBytesAsync(["ls-tree", "-r", "-z", stash + "^3"], null, null, cancellationToken)))
            {
                var tab = entry.IndexOf((byte)'\t');
                var header = System.Text.Encoding.ASCII.GetString(entry[..tab]).Split(' ');
                untracked.Add((header[2], GitPaths.FromBytes(entry.AsSpan(tab + 1))));
            }
        }

        var trackedChanges = await repository.Git.RunForBytesAsync(["diff", "--name-only", "-z", "HEAD"], null, null, cancellationToken);
        var expected = GitPaths.SplitNul(trackedChanges).Concat(untracked.Select(u => u.Path)).ToHashSet(StringComparer.Ordinal);
        if (!expected.SetEquals(await repository.ChangedPathsAsync(cancellationToken)))
        {
            return false;
        }

        if (untracked.Count == 0)
        {
            return true;
        }

        // --stdin-paths unquotes C-quoted lines, so every name reaches git byte for byte.
        var hashes = (await repository.Git.RunWithInputAsync(["hash-object", "--stdin-paths"], GitPaths.PathspecLines(untracked.Select(u => u.Path)), cancellationToken))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return hashes.SequenceEqual(untracked.Select(u => u.Blob));
    }

    static async Task<bool> StashHasUntrackedAsync(GitRepository repository, string stash, CancellationToken cancellationToken) =>
        (await repository.Git.TryRunAsync(["rev-parse", "-q", "--verify", stash + "^3"], cancellationToken)).Succeeded;

    static List<byte[]> SplitNulBytes(byte[] output)
    {
        var entries = new List<byte[]>();
        var start = 0;
        for (var i = 0; i <= output.Length; i++)
        {
            if (i == output.Length || output[i] == 0)
            {
                if (i > start)
                {
                    entries.Add(output[start..i]);
                }

                start = i + 1;
            }
        }

        return entries;
    }

    static async Task<string> TreeOfAsync(GitRepository repository, string commit, CancellationToken cancellationToken) =>
        (await repository.Git.RunAsync(["rev-parse", commit + "^{tree}"], cancellationToken)).Trim();

    static async Task<(string Name, string Commit)?> FindStashAsync(GitRepository repository, string id, CancellationToken cancellationToken)
    {
        var list = await repository.Git.TryRunAsync(["stash", "list", "--format=%gd%x00%H%x00%gs"], cancellationToken);
        if (!list.Succeeded)
        {
            return null;
        }

        foreach (var line in list.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split('\0');
            if (fields.Length == 3 && fields[2].Contains($"[{id}]", StringComparison.Ordinal))
            {
                return (fields[0], fields[1]);
            }
        }

        return null;
    }

}
