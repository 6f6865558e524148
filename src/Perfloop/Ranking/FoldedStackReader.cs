using System.Globalization;
using System.Text.RegularExpressions;
using Perfloop.Errors;

namespace Perfloop.Ranking;

/// <summary>
/// Reads collapsed ("folded") stacks: one stack per line, frames separated by ';' from the root to the leaf,
/// then a space and the sample count — what perf script | stackcollapse-perf.pl, perf's own stackcollapse
/// script, py-spy --format raw and async-profiler's collapsed output write.
/// </summary>
public static partial class FoldedStackReader
{
    public static Profile Read(TextReader reader, string sourceName)
    {
        var frames = new FrameTable();
        var samples = new List<ProfileSample>();
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            var text = line.TrimEnd('\r', ' ', '\t');
            if (text.Length == 0 || text.StartsWith('#'))
            {
                continue;
            }

            var lastSpace = text.LastIndexOfAny([' ', '\t']);
            if (lastSpace <= 0 || !double.TryParse(text.AsSpan(lastSpace + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var weight) || weight < 0 || !double.IsFinite(weight))
            {
                throw new PerfloopException($"{sourceName}:{lineNumber}: not a folded-stack line ('frame;frame;frame count' expected); give a collapsed-stack file, speedscope JSON or a .nettrace");
            }

            if (weight == 0)
            {
                continue;
            }

            var stack = text[..lastSpace].TrimEnd();
            var indices = stack.Split(';').Where(f => f.Length > 0 && f != "CPU_TIME").Select(f => frames.Intern(ParseFrame(f))).ToArray();
            if (indices.Length > 0)
            {
                samples.Add(new ProfileSample(indices, weight));
            }
        }
        if (samples.Count == 0)
        {
            throw new PerfloopException($"{sourceName}: no stacks in the file; a folded profile has lines like 'main;work;leaf 42'");
        }

        return new Profile(ProfileFormat.Folded, frames.Frames, samples, "samples");
    }

    /// <summary>
    /// Splits py-spy's "function (file.py:12)" into name and file; strips the annotation suffixes perf and
    /// async-profiler append ("_[k]" kernel, "_[j]" JIT-compiled, "_[i]" inlined) but keeps the kernel one as a module.
    /// </summary>
    internal static ProfileFrame ParseFrame(string frame)
    {
        var text = frame.Trim();
        string? module = null;
        var annotation = AnnotationSuffix().Match(text);
        if (annotation.Success)
        {
            module = annotation.Groups["kind"].Value == "k" ? "[kernel]" : null;
            text = text[..annotation.Index];
        }
        var withFile = FunctionWithFile().Match(text);
        if (withFile.Success)
        {
            return new ProfileFrame(withFile.Groups["name"].Value, withFile.Groups["file"].Value, module);
        }

        return module is null ? SplitModule(text, null) : new ProfileFrame(text, null, module);
    }

    /// <summary>
    /// "System.Private.CoreLib!System.String.Equals(class System.String)" (dotnet-trace, PerfView and TraceEvent's
    /// exporters) → module "System.Private.CoreLib", name "System.String.Equals" — the same names a .nettrace gives.
    /// </summary>
    internal static ProfileFrame SplitModule(string name, string? file)
    {
        var match = ModuleAndMethod().Match(name);
        return match.Success
            ? new ProfileFrame(NettraceReader.MethodDisplayName(match.Groups["method"].Value), file, match.Groups["module"].Value)
            : new ProfileFrame(name, file);
    }

    [GeneratedRegex(@"_\[(?<kind>[kjiw])\]$")]
    private static partial Regex AnnotationSuffix();

    [GeneratedRegex(@"^(?<module>[A-Za-z_][\w.\-]*)!(?<method>[^!]+)$")]
    private static partial Regex ModuleAndMethod();

    [GeneratedRegex(@"^(?<name>.+?) \((?<file>[^()]+?)(?::\d+)?\)$")]
    private static partial Regex FunctionWithFile();
}

/// <summary>Deduplicates frames so each distinct function has one index.</summary>
sealed class FrameTable
{
    readonly Dictionary<ProfileFrame, int> _indices = [];
    readonly List<ProfileFrame> _frames = [];

    public IReadOnlyList<ProfileFrame> Frames => _frames;

    public int Intern(ProfileFrame frame)
    {
        if (!_indices.TryGetValue(frame, out var index))
        {
            index = _frames.Count;
            _frames.Add(frame);
            _indices.Add(frame, index);
        }
        return index;
    }
}
