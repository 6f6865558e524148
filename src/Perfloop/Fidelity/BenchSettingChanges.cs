using System.Text.RegularExpressions;

namespace Perfloop.Fidelity;

/// <summary>How serious a change to what the benchmark runs is.</summary>
public enum SettingSeverity
{
    /// <summary>A setting the production code reads too: the benchmark measures the same values production will use.</summary>
    Warn,

    /// <summary>The benchmark itself changed: baseline and candidate no longer run the same benchmark.</summary>
    Discard,
}

/// <summary>One changed file that decides what the benchmark runs, and the settings that changed in it.</summary>
public sealed record SettingChange(string Path, SettingSeverity Severity, string Kind, string Description)
{
    public override string ToString() => $"{Path}: {Description}";
}

/// <summary>
/// Flags a candidate that changes what the benchmark runs. The rule:
/// <list type="bullet">
/// <item>the benchmark itself — a bench script (a file the bench command names whose name says bench/perf/load, e.g.
/// <c>bench.sh</c>), a configuration or input file the bench command names (<c>--config bench.yaml</c>), or any file
/// under a <c>bench/</c>, <c>benchmark/</c>, <c>benchmarks/</c> folder — changing it means baseline and candidate are
/// measured on different benchmarks, so the comparison proves nothing: DISCARD. A program the bench command merely
/// runs (<c>sh app.sh</c>, <c>python main.py</c>) is the code under test, not the benchmark;</item>
/// <item>a configuration file elsewhere (*.json, *.yaml, *.toml, *.ini, *.config, *.env, appsettings*, project and
/// runtimeconfig files, Directory.Build.props) is read by the production code as well, so the benchmark does use the
/// same values as production: a warning that says which setting changed, recorded with the experiment.</item>
/// </list>
/// </summary>
public static partial class BenchSettingChanges
{
    static readonly string[] BenchFolders = ["bench", "benchmark", "benchmarks"];

    static readonly string[] ConfigExtensions =
        [".json", ".yaml", ".yml", ".toml", ".ini", ".cfg", ".conf", ".config", ".env", ".properties", ".csproj", ".fsproj", ".vbproj", ".props", ".targets", ".runsettings"];

    public static IReadOnlyList<SettingChange> Find(string diff, IReadOnlyList<string> changedPaths, string benchCommand)
    {
        var named = FilesNamedIn(benchCommand);
        var hunks = LinesByFile(diff);
        var changes = new List<SettingChange>();
        foreach (var path in changedPaths)
        {
            var normalized = path.Replace('\\', '/');
            var segments = normalized.Split('/');
            SettingSeverity severity;
            string kind;
            if (named.Contains(normalized) && (IsConfiguration(segments[^1]) || NamesABenchmark(segments[^1])))
            {
                (severity, kind) = (SettingSeverity.Discard, "named in the bench command");
            }
            else if (segments[..^1].Any(s => BenchFolders.Contains(s, StringComparer.OrdinalIgnoreCase)))
            {
                (severity, kind) = (SettingSeverity.Discard, "part of the benchmark harness");
            }
            else if (IsConfiguration(segments[^1]))
            {
                (severity, kind) = (SettingSeverity.Warn, "configuration the production code reads too");
            }
            else
            {
                continue;
            }

            var (removed, added) = hunks.GetValueOrDefault(normalized, ([], []));
            changes.Add(new SettingChange(normalized, severity, kind, Describe(removed, added)));
        }

        return changes;
    }

    static bool NamesABenchmark(string fileName)
    {
        var lower = fileName.ToLowerInvariant();
        return lower.Contains("bench", StringComparison.Ordinal) || lower.Contains("perf", StringComparison.Ordinal) || lower.Contains("load", StringComparison.Ordinal);
    }

    public static bool IsConfiguration(string fileName)
    {
        var lower = fileName.ToLowerInvariant();
        return lower.StartsWith("appsettings", StringComparison.Ordinal)
            || lower.EndsWith(".runtimeconfig.json", StringComparison.Ordinal)
            || lower is "dockerfile" or ".env"
            || ConfigExtensions.Any(e => lower.EndsWith(e, StringComparison.Ordinal));
    }

    /// <summary>The words of a shell command that look like paths ("./bench.sh", "conf/bench.yaml"), relative to the repository.</summary>
    public static HashSet<string> FilesNamedIn(string command)
    {
        var files = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in Word().Matches(command))
        {
            var word = m.Value.Trim('"', '\'');
            var eq = word.IndexOf('=', StringComparison.Ordinal);
            if (word.StartsWith('-') && eq > 0)
            {
                word = word[(eq + 1)..];
            }

            if (word.StartsWith("./", StringComparison.Ordinal))
            {
                word = word[2..];
            }

            if (word.Length > 0 && !word.StartsWith('-') && !word.StartsWith('/') && (word.Contains('.', StringComparison.Ordinal) || word.Contains('/', StringComparison.Ordinal)))
            {
                files.Add(word);
            }
        }

        return files;
    }

    /// <summary>
    /// "changes the argument --size 1000 → 10", "changes the setting PoolSize 16 → 64", "adds the argument --fast";
    /// else the first changed line.
    /// </summary>
    public static string Describe(IReadOnlyList<string> removed, IReadOnlyList<string> added)
    {
        var parts = new List<string>();
        var oldArguments = Arguments(removed);
        var newArguments = Arguments(added);
        foreach (var (flag, value) in newArguments)
        {
            if (!oldArguments.TryGetValue(flag, out var old))
            {
                parts.Add($"adds the argument {Join(flag, value)}");
            }
            else if (old != value)
            {
                parts.Add($"changes the argument {flag} {Show(old)} → {Show(value)}");
            }
        }

        parts.AddRange(oldArguments.Keys.Where(f => !newArguments.ContainsKey(f)).Select(f => $"drops the argument {Join(f, oldArguments[f])}"));

        var oldSettings = Settings(removed);
        var newSettings = Settings(added);
        foreach (var (key, value) in newSettings)
        {
            if (!oldSettings.TryGetValue(key, out var old))
            {
                parts.Add($"adds the setting {key} = {Show(value)}");
            }
            else if (old != value)
            {
                parts.Add($"changes the setting {key} {Show(old)} → {Show(value)}");
            }
        }

        parts.AddRange(oldSettings.Keys.Where(k => !newSettings.ContainsKey(k)).Select(k => $"drops the setting {k}"));
        if (parts.Count == 0)
        {
            var first = added.Concat(removed).Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0);
            return first is null ? "changed" : $"changes the line '{Cap(first)}'";
        }

        return string.Join("; ", parts.Take(3)) + (parts.Count > 3 ? $" (and {parts.Count - 3} more)" : "");
    }

    static Dictionary<string, string> Arguments(IReadOnlyList<string> lines)
    {
        var arguments = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            var words = Word().Matches(line).Select(m => m.Value.Trim('"', '\'')).ToList();
            for (var i = 0; i < words.Count; i++)
            {
                if (!Flag().IsMatch(words[i]))
                {
                    continue;
                }

                var eq = words[i].IndexOf('=', StringComparison.Ordinal);
                if (eq > 0)
                {
                    arguments[words[i][..eq]] = words[i][(eq + 1)..];
                }
                else
                {
                    var hasValue = i + 1 < words.Count && !words[i + 1].StartsWith('-') && !IsShellOperator(words[i + 1]);
                    arguments[words[i]] = hasValue ? words[i + 1] : "";
                }
            }
        }

        return arguments;
    }

    static Dictionary<string, string> Settings(IReadOnlyList<string> lines)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            var text = line.Trim();
            if (XmlProperty().Match(text) is { Success: true } xml)
            {
                settings[xml.Groups[1].Value] = xml.Groups[2].Value;
            }
            else if (KeyValue().Match(text) is { Success: true } kv && !text.StartsWith('-'))
            {
                settings[kv.Groups["key"].Value] = kv.Groups["value"].Value.Trim().TrimEnd(',').Trim('"', '\'');
            }
        }

        return settings;
    }

    static Dictionary<string, (List<string> Removed, List<string> Added)> LinesByFile(string diff)
    {
        var result = new Dictionary<string, (List<string>, List<string>)>(StringComparer.Ordinal);
        (List<string> Removed, List<string> Added)? current = null;
        var inHunk = false;
        foreach (var raw in diff.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            if (raw.StartsWith("diff --git ", StringComparison.Ordinal))
            {
                var b = raw.LastIndexOf(" b/", StringComparison.Ordinal);
                var path = b < 0 ? "" : raw[(b + 3)..].Trim('"');
                current = ([], []);
                result[path] = current.Value;
                inHunk = false;
            }
            else if (raw.StartsWith("@@", StringComparison.Ordinal))
            {
                inHunk = true;
            }
            else if (inHunk && current is { } lists && raw.Length > 0)
            {
                if (raw[0] == '+')
                {
                    lists.Added.Add(raw[1..]);
                }
                else if (raw[0] == '-')
                {
                    lists.Removed.Add(raw[1..]);
                }
            }
        }

        return result;
    }

    static bool IsShellOperator(string word) => word is "|" or "||" or "&&" or ";" or ">" or "<" or "&";

    static string Join(string flag, string value) => value.Length == 0 ? flag : $"{flag} {value}";

    static string Show(string value) => value.Length == 0 ? "(none)" : Cap(value);

    static string Cap(string text) => text.Length <= 60 ? text : text[..57] + "...";

    [GeneratedRegex(@"""[^""]*""|'[^']*'|\S+")]
    private static partial Regex Word();

    [GeneratedRegex(@"^--?[A-Za-z][A-Za-z0-9_\-]*(=.*)?$")]
    private static partial Regex Flag();

    [GeneratedRegex(@"^<([A-Za-z_][\w\.\-]*)>([^<]*)</\1>")]
    private static partial Regex XmlProperty();

    [GeneratedRegex(@"^""?(?<key>[A-Za-z_][\w\.\-]*)""?\s*[:=]\s*(?<value>[^\s#].*)$")]
    private static partial Regex KeyValue();
}
