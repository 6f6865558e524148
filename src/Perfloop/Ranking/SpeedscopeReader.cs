using System.Text.Json;
using Perfloop.Errors;

namespace Perfloop.Ranking;

/// <summary>
/// Reads speedscope's file format (https://www.speedscope.app/file-format-schema.json): shared frames plus
/// profiles that are either "sampled" (stacks of frame indices, root first, with weights) or "evented"
/// (open/close events at times; each stretch between two events weighs on the stack open then). Every
/// profile with the same unit as the first is merged (exporters write one profile per thread).
/// </summary>
public static class SpeedscopeReader
{
    public const string SchemaUrl = "https://www.speedscope.app/file-format-schema.json";

    public static Profile Read(Stream stream, string sourceName)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(stream, new JsonDocumentOptions { AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new PerfloopException($"{sourceName}: not valid JSON ({e.Message}); give a speedscope file, a folded-stack file or a .nettrace");
        }
        using (document)
        {
            return Read(document.RootElement, sourceName);
        }
    }

    static Profile Read(JsonElement root, string sourceName)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("shared", out var shared) || !shared.TryGetProperty("frames", out var framesElement)
            || !root.TryGetProperty("profiles", out var profiles) || profiles.ValueKind != JsonValueKind.Array)
        {
            throw new PerfloopException($"{sourceName}: not a speedscope file (no 'shared.frames' or 'profiles'); see {SchemaUrl}");
        }

        var frames = framesElement.EnumerateArray().Select(f => FoldedStackReader.SplitModule(
            f.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString()! : "(unnamed)",
            f.TryGetProperty("file", out var file) && file.ValueKind == JsonValueKind.String && file.GetString() is { Length: > 0 } path ? path : null)).ToArray();

        var stacks = new StackAccumulator(DroppedFrames(frames));
        string? unit = null;
        var notes = new List<string>();
        var index = 0;
        foreach (var profile in profiles.EnumerateArray())
        {
            var where = $"{sourceName}: profiles[{index++}]";
            var profileUnit = profile.TryGetProperty("unit", out var u) ? u.GetString() ?? "none" : "none";
            unit ??= profileUnit;
            if (profileUnit != unit)
            {
                notes.Add($"{where} skipped: its unit '{profileUnit}' differs from the first profile's '{unit}'");
                continue;
            }
            var type = profile.TryGetProperty("type", out var t) ? t.GetString() : null;
            switch (type)
            {
                case "sampled":
                    ReadSampled(profile, frames.Length, stacks, where);
                    break;
                case "evented":
                    ReadEvented(profile, frames.Length, stacks, where);
                    break;
                default:
                    throw new PerfloopException($"{where}: unknown profile type '{type}' (speedscope has 'sampled' and 'evented')");
            }
        }
        if (stacks.Samples.Count == 0)
        {
            throw new PerfloopException($"{sourceName}: the speedscope file has no samples");
        }

        return new Profile(ProfileFormat.Speedscope, frames, stacks.Samples, unit ?? "none") { Notes = notes };
    }

    static void ReadSampled(JsonElement profile, int frameCount, StackAccumulator stacks, string where)
    {
        if (!profile.TryGetProperty("samples", out var samples) || samples.ValueKind != JsonValueKind.Array)
        {
            throw new PerfloopException($"{where}: a sampled profile needs a 'samples' array");
        }

        var weights = profile.TryGetProperty("weights", out var w) && w.ValueKind == JsonValueKind.Array ? w.EnumerateArray().Select(x => x.GetDouble()).ToArray() : null;
        var i = 0;
        foreach (var sample in samples.EnumerateArray())
        {
            var stack = sample.EnumerateArray().Select(f => CheckedFrame(f, frameCount, where)).ToArray();
            var weight = weights is null ? 1 : i < weights.Length ? weights[i] : throw new PerfloopException($"{where}: fewer weights than samples");
            stacks.Add(stack, weight);
            i++;
        }
    }

    static void ReadEvented(JsonElement profile, int frameCount, StackAccumulator stacks, string where)
    {
        if (!profile.TryGetProperty("events", out var events) || events.ValueKind != JsonValueKind.Array)
        {
            throw new PerfloopException($"{where}: an evented profile needs an 'events' array");
        }

        var open = new List<int>();
        double? last = null;
        foreach (var e in events.EnumerateArray())
        {
            var at = e.GetProperty("at").GetDouble();
            var frame = CheckedFrame(e.GetProperty("frame"), frameCount, where);
            if (last is { } previous)
            {
                if (at < previous)
                {
                    throw new PerfloopException($"{where}: events are not in time order (at {at} after {previous})");
                }

                if (open.Count > 0 && at > previous)
                {
                    stacks.Add([.. open], at - previous);
                }
            }
            last = at;
            switch (e.GetProperty("type").GetString())
            {
                case "O":
                    open.Add(frame);
                    break;
                case "C":
                    if (open.Count == 0 || open[^1] != frame)
                    {
                        throw new PerfloopException($"{where}: close event at {at} for frame {frame} that is not the innermost open frame");
                    }

                    open.RemoveAt(open.Count - 1);
                    break;
                default:
                    throw new PerfloopException($"{where}: event type must be 'O' or 'C'");
            }
        }
    }

    /// <summary>TraceEvent's exporters end each stack with a "CPU_TIME" marker; the frame above it is what ran.</summary>
    internal static HashSet<int> DroppedFrames(IReadOnlyList<ProfileFrame> frames) =>
        [.. Enumerable.Range(0, frames.Count).Where(i => frames[i].Name == "CPU_TIME")];

    static int CheckedFrame(JsonElement element, int frameCount, string where)
    {
        var frame = element.GetInt32();
        if (frame < 0 || frame >= frameCount)
        {
            throw new PerfloopException($"{where}: frame index {frame} is outside shared.frames (0..{frameCount - 1})");
        }

        return frame;
    }
}

/// <summary>Merges identical stacks so an evented profile with millions of events stays small.</summary>
sealed class StackAccumulator
{
    readonly Dictionary<string, int> _byKey = new(StringComparer.Ordinal);
    readonly List<ProfileSample> _samples = [];
    readonly IReadOnlySet<int> _dropped;

    public StackAccumulator(IReadOnlySet<int>? droppedFrames = null) => _dropped = droppedFrames ?? new HashSet<int>();

    public IReadOnlyList<ProfileSample> Samples => _samples;

    public void Add(int[] stack, double weight)
    {
        if (_dropped.Count > 0 && stack.Any(_dropped.Contains))
        {
            stack = [.. stack.Where(f => !_dropped.Contains(f))];
        }

        if (stack.Length == 0 || weight <= 0)
        {
            return;
        }

        var key = string.Join(',', stack);
        if (_byKey.TryGetValue(key, out var index))
        {
            _samples[index] = _samples[index] with { Weight = _samples[index].Weight + weight };
        }
        else
        {
            _byKey.Add(key, _samples.Count);
            _samples.Add(new ProfileSample(stack, weight));
        }
    }
}
