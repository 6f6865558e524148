using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Perfloop.Configuration;
using Perfloop.Errors;
using Perfloop.Git;
using Perfloop.Oracle;
using Perfloop.Reporting;
using Perfloop.Storage;

namespace Perfloop.Experiments;

/// <summary>
/// The unchanged code of a commit, built once: its own worktree (the baseline side of every comparison) and the output
/// of its oracle commands (captured once per commit and oracle set, kept on disk so separate step commands share it).
/// The work tree is rebuilt before every measurement of it: a binary an earlier experiment left is never trusted.
/// </summary>
public sealed class BaselineBuilds(SessionSetup setup, UserCommands commands, OracleRunner oracles, ILoopReporter reporter) : IAsyncDisposable
{
    readonly Dictionary<string, Worktree> trees = [];

    /// <summary>The baseline build of <paramref name="commit"/> in its own worktree; built once per commit and process.</summary>
    public async Task<Worktree> TreeAsync(string commit, CancellationToken cancellationToken)
    {
        if (trees.TryGetValue(commit, out var existing))
        {
            return existing;
        }

        // Only one baseline is needed at a time; an older commit's tree is dead weight.
        await DisposeAsync();
        reporter.Detail($"[baseline] building {CommitId.Abbreviate(commit)} in a worktree");
        var tree = await setup.Repository.AddWorktreeAsync(commit, cancellationToken);
        trees[commit] = tree;
        if (await commands.BuildAsync(tree.Directory, Path.Combine(PerfloopPaths.Oracles(setup.Root, commit), "baseline-build.log"), cancellationToken) is { } failure)
        {
            throw new PerfloopException($"the unchanged code at {CommitId.Abbreviate(commit)} does not build ({failure.Describe()}); fix the build command in {PerfloopConfig.FileName}", ExitCodes.Failure);
        }

        return tree;
    }

    /// <summary>Builds the work tree, which must hold exactly <paramref name="commit"/>: the side an A/A or an oracle capture measures.</summary>
    public async Task BuildWorkTreeAsync(string commit, CancellationToken cancellationToken)
    {
        if (await commands.BuildAsync(setup.Root, Path.Combine(PerfloopPaths.Oracles(setup.Root, commit), "worktree-build.log"), cancellationToken) is { } failure)
        {
            throw new PerfloopException($"the work tree at {CommitId.Abbreviate(commit)} does not build ({failure.Describe()}); fix the build command in {PerfloopConfig.FileName}", ExitCodes.Failure);
        }
    }

    /// <summary>
    /// The oracle's output on the unchanged code at <paramref name="commit"/> (the work tree must be clean at it):
    /// captured once per commit and oracle set, on a freshly built work tree (unless <c>workTreeBuilt</c> says the caller
    /// has just built it).
    /// </summary>
    public async Task<IReadOnlyList<OracleOutput>> OracleAsync(string commit, CancellationToken cancellationToken, bool workTreeBuilt = false)
    {
        var directory = PerfloopPaths.Oracles(setup.Root, commit);
        var cache = Path.Combine(directory, $"capture-{OracleKey()}.json");
        if (File.Exists(cache) && JsonSerializer.Deserialize<List<OracleOutput>>(await File.ReadAllTextAsync(cache, cancellationToken), JsonFormats.State) is { } cached)
        {
            return cached;
        }

        Directory.CreateDirectory(directory);
        if (!workTreeBuilt)
        {
            await BuildWorkTreeAsync(commit, cancellationToken);
        }

        IReadOnlyList<OracleOutput> outputs = [];
        if (setup.Config.Oracles.Count > 0)
        {
            reporter.Detail($"[baseline] capturing the output of {setup.Config.Oracles.Count} oracle command(s) on the unchanged code");
            outputs = await oracles.CaptureAsync(setup.Config.Oracles, setup.Root, directory, cancellationToken);
            // An oracle may write files; the candidate must start from an exact HEAD.
            await setup.Repository.RestoreAsync(cancellationToken);
        }

        AtomicFile.WriteAllText(cache, JsonSerializer.Serialize(outputs, JsonFormats.State));
        return outputs;
    }

    string OracleKey()
    {
        var text = string.Join("\n", setup.Config.Oracles.Select(o => o.Command + "\t" + string.Join("\t", o.Files)));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12];
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var tree in trees.Values)
        {
            await tree.DisposeAsync();
        }

        trees.Clear();
    }
}
