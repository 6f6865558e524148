using Perfloop.Cluster;
using Perfloop.Git;

namespace Perfloop.Sessions;

/// <summary><see cref="IClusterRepository"/> on the user's repository, through the git CLI.</summary>
public sealed class GitClusterRepository(GitRepository repository) : IClusterRepository
{
    /// <summary>The ref a bundle carries (see <see cref="GitRepository.BundleRef"/>).</summary>
    public const string BundleRef = GitRepository.BundleRef;

    public Task<string> HeadAsync(CancellationToken cancellationToken) => repository.HeadAsync(cancellationToken);

    /// <summary>
    /// Applies the patch exactly as the serial loop does (a plain apply, then a 3-way merge: see
    /// <see cref="Implementers.PatchApplication"/>) and puts the tree back at HEAD: a patch the serial loop would find
    /// not applying is discarded here too, so both keep the same set.
    /// </summary>
    public async Task<string?> ApplyProblemAsync(string patch, CancellationToken cancellationToken)
    {
        var path = Path.GetFullPath(patch);
        var application = await Implementers.PatchApplication.ApplyAsync(repository, path, await File.ReadAllTextAsync(path, cancellationToken), cancellationToken);
        await repository.RestoreAsync(CancellationToken.None);
        return application.Problem;
    }

    /// <summary>The bundle is written beside its final name and renamed, so a node never reads half of one.</summary>
    public async Task WriteBundleAsync(string commit, string path, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temp = $"{path}.{Environment.ProcessId}.tmp";
        await repository.WriteBundleAsync(commit, temp, cancellationToken);
        File.Move(temp, path, overwrite: true);
    }
}
