using System.Text.Json;
using Perfloop.Configuration;
using Perfloop.Errors;
using Perfloop.Storage;

namespace Perfloop.Ranking;

/// <summary>Reads and writes <c>.perfloop/bottlenecks.json</c> (schema <see cref="BottleneckRanking.SchemaVersion"/>).</summary>
public static class BottlenecksFile
{
    public const string FileName = "bottlenecks.json";

    public static string PathIn(string repositoryRoot) => Path.Combine(PerfloopPaths.StateDirectory(repositoryRoot), FileName);

    public static string Serialize(BottleneckRanking ranking) => JsonSerializer.Serialize(ranking, JsonFormats.Output);

    public static Task<string> WriteAsync(string repositoryRoot, BottleneckRanking ranking, CancellationToken cancellationToken = default)
    {
        var path = PathIn(repositoryRoot);
        AtomicFile.WriteAllText(path, Serialize(ranking) + "\n");
        return Task.FromResult(path);
    }

    /// <summary>The saved ranking, or <c>null</c> when there is none yet.</summary>
    public static BottleneckRanking? Load(string repositoryRoot)
    {
        var path = PathIn(repositoryRoot);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var ranking = JsonSerializer.Deserialize<BottleneckRanking>(File.ReadAllText(path), JsonFormats.Output);
            if (ranking?.Schema != BottleneckRanking.SchemaVersion)
            {
                throw new PerfloopException($"{path}: schema '{ranking?.Schema}' is not {BottleneckRanking.SchemaVersion}; rebuild it with {Mention.Command("rank --profile FILE")}");
            }

            return ranking;
        }
        catch (JsonException e)
        {
            throw new PerfloopException($"{path}: unreadable ({e.Message}); delete it and run {Mention.Command("rank --profile FILE")} again");
        }
    }
}
