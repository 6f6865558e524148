using System.Text.Json;
using Perfloop.Errors;

namespace Perfloop.Ranking;

/// <summary>
/// Reads V8's CPU profile (<c>.cpuprofile</c>, what <c>node --cpu-prof</c> and Chrome DevTools write): a tree of
/// call frames and, per sample, the tree node that was running. Each sample becomes the stack from the root to
/// that node, weighted by the time until the next sample.
/// </summary>
/// <remarks>
/// V8's own pseudo-frames: "(root)" is dropped, "(idle)" samples (the event loop waiting) are not CPU and are left
/// out, "(program)" (native code of the VM) and "(garbage collector)" stay as runtime frames.
/// </remarks>
public static class CpuProfileReader
{
    /// <summary>The module given to V8 frames that are not JavaScript of any file (builtins, the VM itself).</summary>
    public const string V8Module = "[v8]";

    public static bool LooksLikeCpuProfile(string head) =>
        head.TrimStart().StartsWith("{\"nodes\"", StringComparison.Ordinal);

    public static Profile Read(Stream stream, string sourceName)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(stream);
        }
        catch (JsonException e)
        {
            throw new PerfloopException($"{sourceName}: not valid JSON ({e.Message}); give a .cpuprofile as 'node --cpu-prof' writes it");
        }
        using (document)
        {
            return Read(document.RootElement, sourceName);
        }
    }

    static Profile Read(JsonElement root, string sourceName)
    {
        if (!root.TryGetProperty("nodes", out var nodes) || !root.TryGetProperty("samples", out var samples))
        {
            throw new PerfloopException($"{sourceName}: not a V8 CPU profile (no \"nodes\" and \"samples\")");
        }

        var frames = new FrameTable();
        var frameOf = new Dictionary<int, int>();
        var parentOf = new Dictionary<int, int>();
        var dropped = new HashSet<int>();
        var idle = new HashSet<int>();
        foreach (var node in nodes.EnumerateArray())
        {
            var id = node.GetProperty("id").GetInt32();
            var callFrame = node.GetProperty("callFrame");
            var name = callFrame.GetProperty("functionName").GetString() ?? "";
            var url = callFrame.TryGetProperty("url", out var u) ? u.GetString() ?? "" : "";
            var line = callFrame.TryGetProperty("lineNumber", out var l) ? l.GetInt32() : -1;
            var column = callFrame.TryGetProperty("columnNumber", out var c) ? c.GetInt32() : -1;
            if (name == "(root)" && url.Length == 0)
            {
                dropped.Add(id);
            }

            if (name == "(idle)" && url.Length == 0)
            {
                idle.Add(id);
            }

            frameOf[id] = frames.Intern(Frame(name, url, line, column));
            if (node.TryGetProperty("children", out var children))
            {
                foreach (var child in children.EnumerateArray())
                {
                    parentOf[child.GetInt32()] = id;
                }
            }
        }

        var ids = samples.EnumerateArray().Select(s => s.GetInt32()).ToList();
        var deltas = root.TryGetProperty("timeDeltas", out var d) ? d.EnumerateArray().Select(x => x.GetDouble()).ToList() : [];
        var stacks = new StackAccumulator();
        var idleSamples = 0;
        var stackOf = new Dictionary<int, int[]>();
        for (var i = 0; i < ids.Count; i++)
        {
            var id = ids[i];
            if (idle.Contains(id))
            {
                idleSamples++;
                continue;
            }
            if (!stackOf.TryGetValue(id, out var stack))
            {
                var path = new List<int>();
                for (var at = id; ; at = parentOf[at])
                {
                    if (!dropped.Contains(at) && frameOf.TryGetValue(at, out var frame))
                    {
                        path.Add(frame);
                    }

                    if (!parentOf.ContainsKey(at))
                    {
                        break;
                    }
                }
                path.Reverse();
                stack = [.. path];
                stackOf[id] = stack;
            }
            // A sample stands for the time until the next one; the last one, for the usual interval.
            var weight = i + 1 < deltas.Count ? deltas[i + 1] : deltas.Count > 0 ? deltas.Average() : 1;
            stacks.Add(stack, weight > 0 ? weight : 0);
        }

        if (stacks.Samples.Count == 0)
        {
            throw new PerfloopException($"{sourceName}: the CPU profile has no samples of running code");
        }

        var notes = idleSamples > 0 ? new[] { $"{idleSamples} samples of the idle event loop are not ranked" } : [];
        return new Profile(ProfileFormat.CpuProfile, frames.Frames, stacks.Samples, deltas.Count > 0 ? "microseconds" : "samples") { Notes = notes };
    }

    /// <summary>"hot" at file:///repo/bench.js → the function with its local file; V8's builtins and pseudo-frames → the [v8] module.</summary>
    static ProfileFrame Frame(string name, string url, int line, int column)
    {
        if (url.Length == 0)
        {
            return new ProfileFrame(name.Length == 0 ? "(anonymous)" : name, null, V8Module);
        }

        var file = url.StartsWith("file://", StringComparison.Ordinal) ? Uri.UnescapeDataString(new Uri(url).AbsolutePath) : url;
        var display = name.Length > 0 ? name : line == 0 && column == 0 ? "(top level)" : $"(anonymous at line {line + 1})";
        return new ProfileFrame(display, file);
    }
}
