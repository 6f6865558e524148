using Perfloop.Git;

namespace Perfloop.Cluster;

/// <summary>The coordinator's side of git: HEAD, the serial loop's applicability check, bundles for the nodes.</summary>
public interface IClusterRepository
{
    Task<string> HeadAsync(CancellationToken cancellationToken);

    /// <summary>Why the patch does not apply on HEAD (the work tree is clean at HEAD), or null when it does.</summary>
    Task<string?> ApplyProblemAsync(string patch, CancellationToken cancellationToken);

    /// <summary>Writes a git bundle holding <paramref name="commit"/> and its history to <paramref name="path"/>.</summary>
    Task WriteBundleAsync(string commit, string path, CancellationToken cancellationToken);
}

/// <summary><see cref="IClusterRepository"/> on the user's repository, through the git CLI.</summary>
public sealed class GitClusterRepository(GitRepository repository) : IClusterRepository
{
    /// <summary>The ref a bundle carries; under refs/perfloop/ so it never shows as a branch, and removed right after.</summary>
    public const string BundleRef = "refs/perfloop/cluster-base";

    public Task<string> HeadAsync(CancellationToken cancellationToken) => repository.HeadAsync(cancellationToken);

    /// <summary>
    /// <c>git apply --check</c>, exactly as the serial loop applies a patch (not a 3-way merge): a patch the serial loop
    /// would find not applying is discarded here too, so both keep the same set.
    /// </summary>
    public async Task<string?> ApplyProblemAsync(string patch, CancellationToken cancellationToken)
    {
        var check = await repository.Git.TryRunAsync(["apply", "--check", "--whitespace=nowarn", Path.GetFullPath(patch)], cancellationToken);
        return check.Succeeded ? null : GitCli.FirstLine(check.StderrText);
    }

    /// <summary>
    /// git bundles refs, not bare commits, so the commit gets a ref for the moment of bundling. The bundle is written
    /// beside its final name and renamed, so a node never reads half of one.
    /// </summary>
    public async Task WriteBundleAsync(string commit, string path, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temp = $"{path}.{Environment.ProcessId}.tmp";
        await repository.Git.RunAsync(["update-ref", BundleRef, commit], cancellationToken);
        try
        {
            await repository.Git.RunAsync(["bundle", "create", "-q", temp, BundleRef], cancellationToken);
        }
        finally
        {
            await repository.Git.TryRunAsync(["update-ref", "-d", BundleRef], CancellationToken.None);
        }

        File.Move(temp, path, overwrite: true);
    }
}
