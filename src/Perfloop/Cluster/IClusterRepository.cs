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
