using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Perfloop.Storage;

/// <summary>
/// The JSON policy, in one place: every file and every machine-readable output Perfloop writes or reads uses one of
/// these three shapes, all camelCase with enums as words.
/// </summary>
public static class JsonFormats
{
    /// <summary>
    /// Files people write and commit (perfloop.json, the demo's commands): comments and trailing commas allowed,
    /// unknown keys and quoted numbers refused so a typo is an error, and written the way a person would
    /// (<c>&amp;&amp;</c>, not <c>\u0026\u0026</c>).
    /// </summary>
    public static JsonSerializerOptions Config { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.Strict,
        // Nothing Perfloop writes is embedded in HTML; commands read better unescaped.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// Perfloop's own state under .perfloop/ (journal, markers, methodology, ranking): written by one version and
    /// read by a later one, so unknown keys are skipped and NaN/∞ survive a round trip.
    /// </summary>
    public static JsonSerializerOptions State { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>Machine output for agents and CI (<c>--json</c>, MCP tools, reports): the versioned schemas in docs/.</summary>
    public static JsonSerializerOptions Output { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };
}
