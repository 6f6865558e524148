using System.Reflection;
using System.Text.Json;
using Perfloop.Errors;

namespace Perfloop.Methods;

/// <summary>
/// Where a method's argument sets come from: a JSON file (<c>[[arg, …], …]</c>, each value converted to the
/// parameter's type in each build) or a probe type the user writes — a public static parameterless method returning
/// <c>IEnumerable&lt;object?[]&gt;</c> in a type present in both builds. Either way every side gets its own fresh
/// objects, of its own build's types, for every call made for the oracle.
/// </summary>
public sealed class MethodInputs
{
    static readonly JsonSerializerOptions ArgumentOptions = new() { PropertyNameCaseInsensitive = true, IncludeFields = true };

    readonly IReadOnlyList<JsonElement[]>? json;
    readonly string? probeType;

    MethodInputs(IReadOnlyList<JsonElement[]>? json, string? probeType, string origin)
    {
        this.json = json;
        this.probeType = probeType;
        Origin = origin;
    }

    /// <summary>What the inputs are, for messages.</summary>
    public string Origin { get; }

    /// <summary>The argument count when it is known without loading a build (JSON); a probe's sets are counted when made.</summary>
    public int? ArgumentCount => json is { Count: > 0 } sets ? sets[0].Length : null;

    /// <summary>A method without parameters needs no inputs: one empty argument set.</summary>
    public static MethodInputs None { get; } = new([Array.Empty<JsonElement>()], null, "no arguments");

    public static MethodInputs FromJsonFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new PerfloopException($"{Mention.Input("args")}: file not found: {path}");
        }

        return FromJson(File.ReadAllText(path), path);
    }

    public static MethodInputs FromJson(string text, string origin)
    {
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new PerfloopException($"{Mention.Input("args")}: {origin} is not valid JSON (line {(e.LineNumber ?? 0) + 1}): give an array of argument arrays, e.g. [[100], [1000]]");
        }

        if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() == 0 || root.EnumerateArray().Any(set => set.ValueKind != JsonValueKind.Array))
        {
            throw new PerfloopException($"{Mention.Input("args")}: {origin} must be a non-empty array of argument arrays, e.g. [[100], [1000]]");
        }

        var sets = root.EnumerateArray().Select(set => set.EnumerateArray().ToArray()).ToList();
        if (sets.Select(s => s.Length).Distinct().Count() > 1)
        {
            throw new PerfloopException($"{Mention.Input("args")}: {origin}: every argument set must have the same number of arguments");
        }

        return new MethodInputs(sets, null, origin);
    }

    public static MethodInputs FromProbe(string typeName) => new(null, typeName, $"probe {typeName}");

    /// <summary>The argument sets for <paramref name="method"/>, freshly made in its build.</summary>
    public IReadOnlyList<object?[]> Create(MethodBuild build, MethodInfo method, string label)
    {
        ArgumentNullException.ThrowIfNull(build);
        ArgumentNullException.ThrowIfNull(method);
        var parameters = method.GetParameters();
        if (json is not null)
        {
            return json.Select((set, index) => Convert(set, parameters, index)).ToList();
        }

        var probe = build.GetType(probeType!, label);
        var factory = probe.GetMethods(BindingFlags.Public | BindingFlags.Static)
            .FirstOrDefault(m => m.GetParameters().Length == 0 && typeof(IEnumerable<object?[]>).IsAssignableFrom(m.ReturnType))
            ?? throw new PerfloopException($"{Mention.Input("probe")}: {probeType} has no public static parameterless method returning IEnumerable<object?[]>");
        var sets = ((IEnumerable<object?[]>?)factory.Invoke(null, null) ?? []).ToList();
        if (sets.Count == 0)
        {
            throw new PerfloopException($"{Mention.Input("probe")}: {probeType}.{factory.Name} returned no argument sets");
        }

        foreach (var (set, index) in sets.Select((s, i) => (s, i)))
        {
            if (set.Length != parameters.Length)
            {
                throw new PerfloopException($"{Mention.Input("probe")}: argument set {index} has {set.Length} values but {method.Name} takes {parameters.Length}");
            }
        }

        return sets;
    }

    static object?[] Convert(JsonElement[] set, ParameterInfo[] parameters, int index)
    {
        if (set.Length != parameters.Length)
        {
            throw new PerfloopException($"{Mention.Input("args")}: argument set {index} has {set.Length} values but the method takes {parameters.Length}");
        }

        var values = new object?[set.Length];
        for (var i = 0; i < set.Length; i++)
        {
            var type = parameters[i].ParameterType is { IsByRef: true } byRef ? byRef.GetElementType()! : parameters[i].ParameterType;
            try
            {
                values[i] = set[i].Deserialize(type, ArgumentOptions);
            }
            catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
            {
                throw new PerfloopException($"{Mention.Input("args")}: argument set {index}, argument {i} ({parameters[i].Name}): cannot convert {set[i].GetRawText()} to {type.Name}: {e.Message}");
            }
        }

        return values;
    }

}
