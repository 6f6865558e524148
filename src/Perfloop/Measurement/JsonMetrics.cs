using System.Globalization;
using System.Text.Json;

namespace Perfloop.Measurement;

/// <summary>A metric file that cannot be read or does not hold what the configuration asks for.</summary>
public sealed class MetricSourceException(string message) : Exception(message);

/// <summary>
/// Reads the JSON metrics file a benchmark writes. Every number becomes a metric named by its path — object keys
/// joined with dots, array elements by index (<c>{"a": {"b": [1, 2]}}</c> gives <c>a.b.0</c> and <c>a.b.1</c>) —
/// or, with a selection, only the named paths (JSONPath-lite: <c>a.b.c</c>, <c>a[0].b</c> or <c>a.0.b</c>;
/// keys that contain dots cannot be addressed). Numbers may also be given as numeric strings. Characters that
/// samples.tsv reserves (= ; whitespace) become '_' in flattened names.
/// </summary>
public static class JsonMetrics
{
    public static IReadOnlyDictionary<string, double> Parse(string json, IReadOnlyDictionary<string, string>? select = null)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new MetricSourceException($"not valid JSON (line {(e.LineNumber ?? 0) + 1}): {FirstSentence(e.Message)}");
        }

        using (document)
        {
            var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
            if (select is null)
            {
                Flatten(document.RootElement, "", metrics);
                return metrics;
            }

            foreach (var (name, path) in select)
            {
                var element = Find(document.RootElement, path)
                    ?? throw new MetricSourceException($"nothing at '{path}' (for metric '{name}')");
                metrics[name] = AsNumber(element)
                    ?? throw new MetricSourceException($"'{path}' (for metric '{name}') is {Describe(element)}, not a number");
            }

            return metrics;
        }
    }

    /// <summary>The path's segments, or <c>null</c> when it is not a valid JSONPath-lite path.</summary>
    public static IReadOnlyList<string>? Segments(string path) => Configuration.MetricVocabulary.JsonPathSegments(path);

    static JsonElement? Find(JsonElement root, string path)
    {
        var segments = Segments(path) ?? throw new MetricSourceException($"'{path}' is not a path like a.b.c or a[0].b");
        var current = root;
        foreach (var segment in segments)
        {
            if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(segment, out var child))
            {
                current = child;
            }
            else if (current.ValueKind == JsonValueKind.Array
                && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                && index < current.GetArrayLength())
            {
                current = current[index];
            }
            else
            {
                return null;
            }
        }

        return current;
    }

    static void Flatten(JsonElement element, string prefix, Dictionary<string, double> metrics)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Flatten(property.Value, Join(prefix, property.Name), metrics);
                }

                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Flatten(item, Join(prefix, (i++).ToString(CultureInfo.InvariantCulture)), metrics);
                }

                break;
            case JsonValueKind.Number when prefix.Length > 0 && AsNumber(element) is { } value:
                metrics[MetricNames.Sanitize(prefix)] = value;
                break;
        }
    }

    static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;

    static double? AsNumber(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Number when element.TryGetDouble(out var d) && double.IsFinite(d) => d,
        JsonValueKind.String when double.TryParse(element.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) => d,
        _ => null,
    };

    static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Null => "null",
        _ => element.ValueKind.ToString().ToLowerInvariant(),
    };

    internal static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd('.', ' ');
    }
}
