using System.Text.Json;
using System.Text.Json.Serialization;

namespace Perfloop.Cli.Rendering;

/// <summary>Machine output: camelCase JSON on stdout alone, enums as words, no NaN surprises.</summary>
static class JsonOutput
{
    static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        // Agents read this; quotes and arrows stay readable instead of \u escapes. Nothing here is embedded in HTML.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static void Write<T>(T value)
    {
        Console.Out.WriteLine(JsonSerializer.Serialize(value, Options));
        Console.Out.Flush();
    }
}
