using System.Text.Json;
using System.Text.Json.Serialization;

namespace Perfloop.Experiments;

/// <summary>
/// The one JSON shape of machine output (step reports, status), shared by the CLI's <c>--json</c> and the MCP tools:
/// camelCase, enums as words, no NaN surprises.
/// </summary>
public static class ReportJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        // Agents read this; quotes and arrows stay readable instead of \u escapes. Nothing here is embedded in HTML.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);
}
