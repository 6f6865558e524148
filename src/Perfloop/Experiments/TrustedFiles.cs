using System.Security.Cryptography;
using Perfloop.Configuration;

namespace Perfloop.Experiments;

/// <summary>A file under <c>.perfloop/</c> that something other than Perfloop added, changed or removed.</summary>
public sealed record TrustedFileChange(string Path, string What);

/// <summary>
/// Perfloop's own state under <c>.perfloop/</c> (conventions, oracle captures, results, earlier experiments' samples,
/// the ranking…) is out of a candidate's reach. git cannot see it (it is excluded), so its content hashes are recorded
/// before the candidate acts and checked after every step that runs the candidate's code; a copy of every recorded file
/// sits in a content-addressed store inside the git directory, so anything a candidate changed is put back byte for byte.
/// Not covered: the experiment in progress's own folder, the journal and the lock, which Perfloop writes during the experiment.
/// </summary>
public sealed class TrustedFiles
{
    readonly string stateDirectory;
    readonly string store;
    readonly IReadOnlyDictionary<string, string> hashes;
    readonly int experiment;

    TrustedFiles(string stateDirectory, string store, IReadOnlyDictionary<string, string> hashes, int experiment)
    {
        this.stateDirectory = stateDirectory;
        this.store = store;
        this.hashes = hashes;
        this.experiment = experiment;
    }

    /// <summary>How many files are recorded.</summary>
    public int Count => hashes.Count;

    /// <summary>Records every trusted file now (and keeps a copy of each in <paramref name="store"/>), while experiment <paramref name="experiment"/> runs.</summary>
    public static TrustedFiles Record(string repositoryRoot, string store, int experiment)
    {
        var stateDirectory = PerfloopPaths.StateDirectory(repositoryRoot);
        var hashes = Hash(stateDirectory, experiment);
        Directory.CreateDirectory(store);
        foreach (var (path, hash) in hashes)
        {
            var copy = Path.Combine(store, hash);
            if (!hash.StartsWith("link:", StringComparison.Ordinal) && !File.Exists(copy))
            {
                File.Copy(Path.Combine(stateDirectory, path), copy + ".tmp", overwrite: true);
                File.Move(copy + ".tmp", copy, overwrite: true);
            }
        }

        Storage.AtomicFile.WriteAllText(RecordPath(store), System.Text.Json.JsonSerializer.Serialize(new SavedRecord(experiment, hashes), Storage.JsonFormats.State));
        return new TrustedFiles(stateDirectory, store, hashes, experiment);
    }

    /// <summary>The record made for experiment <paramref name="experiment"/> (by this process or an earlier step command), or null.</summary>
    public static TrustedFiles? Load(string repositoryRoot, string store, int experiment)
    {
        try
        {
            var saved = File.Exists(RecordPath(store))
                ? System.Text.Json.JsonSerializer.Deserialize<SavedRecord>(File.ReadAllText(RecordPath(store)), Storage.JsonFormats.State)
                : null;
            return saved is { } s && s.Experiment == experiment
                ? new TrustedFiles(PerfloopPaths.StateDirectory(repositoryRoot), store, s.Hashes, experiment)
                : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    static string RecordPath(string store) => Path.Combine(store, "record.json");

    sealed record SavedRecord(int Experiment, IReadOnlyDictionary<string, string> Hashes);

    /// <summary>What differs from the record now; empty when nothing does.</summary>
    public IReadOnlyList<TrustedFileChange> Changes() => Compare(hashes, Hash(stateDirectory, experiment));

    /// <summary>Puts every trusted file back as recorded and removes the ones added since; returns what was changed.</summary>
    public IReadOnlyList<TrustedFileChange> Restore()
    {
        var changes = Changes();
        foreach (var change in changes)
        {
            var target = Path.Combine(stateDirectory, change.Path);
            if (hashes.TryGetValue(change.Path, out var hash) && !hash.StartsWith("link:", StringComparison.Ordinal))
            {
                if (new FileInfo(target).LinkTarget is not null)
                {
                    File.Delete(target);
                }

                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(Path.Combine(store, hash), target, overwrite: true);
            }
            else if (File.Exists(target) || Directory.Exists(target))
            {
                // A symlink or a file planted by the candidate; delete the link itself, never what it points at.
                if (Directory.Exists(target) && !new FileInfo(target).Attributes.HasFlag(FileAttributes.ReparsePoint))
                {
                    Directory.Delete(target, recursive: true);
                }
                else
                {
                    File.Delete(target);
                }
            }
        }

        return changes;
    }

    /// <summary>The differences between two records (pure): added, changed and removed files, by path.</summary>
    public static IReadOnlyList<TrustedFileChange> Compare(IReadOnlyDictionary<string, string> recorded, IReadOnlyDictionary<string, string> now)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        ArgumentNullException.ThrowIfNull(now);
        var changes = new List<TrustedFileChange>();
        foreach (var (path, hash) in now)
        {
            if (!recorded.TryGetValue(path, out var before))
            {
                changes.Add(new(path, "added"));
            }
            else if (before != hash)
            {
                changes.Add(new(path, "changed"));
            }
        }

        changes.AddRange(recorded.Keys.Where(p => !now.ContainsKey(p)).Select(p => new TrustedFileChange(p, "removed")));
        return [.. changes.OrderBy(c => c.Path, StringComparer.Ordinal)];
    }

    /// <summary>Whether Perfloop itself writes <paramref name="relativePath"/> while experiment <paramref name="experiment"/> runs.</summary>
    public static bool WrittenDuringExperiment(string relativePath, int experiment)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        var path = relativePath.Replace('\\', '/');
        return path is "experiment.json" or "lock"
            || path.EndsWith(".tmp", StringComparison.Ordinal)
            || path.StartsWith($"experiments/{experiment.ToString(System.Globalization.CultureInfo.InvariantCulture)}/", StringComparison.Ordinal);
    }

    static Dictionary<string, string> Hash(string stateDirectory, int experiment)
    {
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!Directory.Exists(stateDirectory))
        {
            return hashes;
        }

        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false };
        foreach (var entry in new DirectoryInfo(stateDirectory).EnumerateFileSystemInfos("*", options))
        {
            var relative = Path.GetRelativePath(stateDirectory, entry.FullName).Replace('\\', '/');
            if (WrittenDuringExperiment(relative, experiment))
            {
                continue;
            }

            if (entry.LinkTarget is { } link)
            {
                // Perfloop writes no links here: any link is planted, and its target is never followed.
                hashes[relative] = "link:" + link;
            }
            else if (entry is FileInfo file)
            {
                using var stream = file.OpenRead();
                hashes[relative] = Convert.ToHexStringLower(SHA256.HashData(stream));
            }
        }

        return hashes;
    }
}
