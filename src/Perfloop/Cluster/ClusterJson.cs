using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Perfloop.Errors;

namespace Perfloop.Cluster;

/// <summary>
/// Reads and writes the cluster's JSON files (requests, results, the job journal). A write goes to a temporary file in
/// the same directory, is flushed, then renamed over the target: a reader on any node sees the old file or the whole
/// new one, never half of it (rename is atomic on local filesystems and on NFS).
/// </summary>
public static class ClusterJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static void Write<T>(string path, T value)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temp = $"{path}.{Environment.ProcessId}.tmp";
        var json = Safety.SecretRedactor.Current.Redact(JsonSerializer.Serialize(value, Options)) + "\n";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(Encoding.UTF8.GetBytes(json));
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>The file's value, or null when the file does not exist; a damaged file is a <see cref="PerfloopException"/> naming it.</summary>
    public static T? Read<T>(string path)
        where T : class
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<T>(text, Options) ?? throw new JsonException("the file holds null");
        }
        catch (JsonException e)
        {
            throw new PerfloopException($"{path}: not a valid {typeof(T).Name} ({e.Message.Split(". ")[0]})", ExitCodes.Failure, e);
        }
    }
}
