using System.Text.Json;
using Perfloop.Storage;

namespace Perfloop.Experiments;

/// <summary>
/// The one JSON shape of machine output (step reports, status), shared by the CLI's <c>--json</c> and the MCP tools:
/// camelCase, enums as words, no NaN surprises.
/// </summary>
public static class ReportJson
{
    public static JsonSerializerOptions Options => JsonFormats.Output;

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);
}
