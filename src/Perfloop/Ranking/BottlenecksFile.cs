using System.Text.Json;
using System.Text.Json.Serialization;
using Perfloop.Configuration;
using Perfloop.Errors;

namespace Perfloop.Ranking;

/// <summary>Reads and writes <c>.perfloop/bottlenecks.json</c> (schema <see cref="BottleneckRanking.SchemaVersion"/>).</summary>
public static class BottlenecksFile
{
    public const string FileName = "bottlenecks.json";

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static string PathIn(string repositoryRoot) => Path.Combine(PerfloopPaths.StateDirectory(repositoryRoot), FileName);

    public static string Serialize(BottleneckRanking ranking) => JsonSerializer.Serialize(ranking, JsonOptions);

    public static async Task<string> WriteAsync(string repositoryRoot, BottleneckRanking ranking, CancellationToken cancellationToken = default)
    {
        var path = PathIn(repositoryRoot);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, Serialize(ranking) + "\n", cancellationToken);
        File.Move(temporary, path, overwrite: true);
        return path;
    }

    /// <summary>The saved ranking, or <c>null</c> when there is none yet.</summary>
    public static BottleneckRanking? Load(string repositoryRoot)
    {
        var path = PathIn(repositoryRoot);
        if (!File.Exists(path))
            return null;
        try
        {
            var ranking = JsonSerializer.Deserialize<BottleneckRanking>(File.ReadAllText(path), JsonOptions);
            if (ranking?.Schema != BottleneckRanking.SchemaVersion)
                throw new PerfloopException($"{path}: schema '{ranking?.Schema}' is not {BottleneckRanking.SchemaVersion}; rebuild it with 'perfloop rank --profile FILE'");
            return ranking;
        }
        catch (JsonException e)
        {
            throw new PerfloopException($"{path}: unreadable ({e.Message}); delete it and run 'perfloop rank --profile FILE' again");
        }
    }
}
