using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Perfloop.Errors;
using Perfloop.Processes;

namespace Perfloop.Ranking;

/// <summary>
/// Reads the CPU samples (<c>jdk.ExecutionSample</c>) of a JDK Flight Recorder recording. The binary format is the
/// JDK's own, so the JDK's <c>jfr</c> tool prints the samples as JSON (<c>jfr print --json</c>), which is read here.
/// </summary>
/// <remarks>
/// Frames JFR marks as inlined by the JIT are kept as frames: JFR already gives inlined code back to its method.
/// Lambdas (<c>lambda$main$0</c>) are folded into the method whose source holds them, as for .NET.
/// </remarks>
public static partial class JfrReader
{
    /// <summary>Frames printed per stack; deeper ones are cut at the root side by jfr.</summary>
    public const int StackDepth = 128;

    public static bool LooksLikeJfr(ReadOnlySpan<byte> head) => head.StartsWith("FLR\0"u8);

    /// <summary>The JDK's jfr tool: next to the java launcher on PATH (symbolic links followed), under JAVA_HOME, or on PATH.</summary>
    public static string? FindTool(Func<string, string?> resolveOnPath)
    {
        ArgumentNullException.ThrowIfNull(resolveOnPath);
        if (resolveOnPath("java") is { } java)
        {
            var real = new FileInfo(java).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? java;
            var sibling = Path.Combine(Path.GetDirectoryName(real)!, "jfr");
            if (File.Exists(sibling))
            {
                return sibling;
            }
        }
        if (Environment.GetEnvironmentVariable("JAVA_HOME") is { Length: > 0 } home && File.Exists(Path.Combine(home, "bin", "jfr")))
        {
            return Path.Combine(home, "bin", "jfr");
        }

        return resolveOnPath("jfr");
    }

    public static async Task<Profile> ReadAsync(IProcessRunner runner, string path, string jfrTool, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var json = Path.Combine(Path.GetTempPath(), $"perfloop-jfr-{Guid.NewGuid():N}.json");
        try
        {
            var spec = new CommandSpec(jfrTool, ["print", "--json", "--stack-depth", StackDepth.ToString(CultureInfo.InvariantCulture), "--events", "jdk.ExecutionSample", path], Path.GetDirectoryName(path)!)
            {
                Timeout = TimeSpan.FromMinutes(10),
                MemoryCapBytes = 64 << 10,
                StdoutLogPath = json,
                LogCapBytes = 4L << 30,
                Environment = new Dictionary<string, string?> { ["JDK_JAVA_OPTIONS"] = null, ["JAVA_TOOL_OPTIONS"] = null },
            };
            ProcessResult result;
            try
            {
                result = await runner.RunAsync(spec, cancellationToken);
            }
            catch (ProcessStartException e)
            {
                throw new PerfloopException($"{path}: reading a JFR recording needs the JDK's jfr tool ({e.Message})");
            }
            if (!result.Succeeded || result.LogTruncated)
            {
                var why = result.StderrText.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? $"exit code {result.ExitCode}";
                throw new PerfloopException($"{path}: 'jfr print' could not read the recording ({why})");
            }
            await using var stream = File.OpenRead(json);
            return Read(stream, path);
        }
        finally
        {
            File.Delete(json);
        }
    }

    /// <summary>Reads <c>jfr print --json --events jdk.ExecutionSample</c> output.</summary>
    public static Profile Read(Stream json, string sourceName)
    {
        using var document = JsonDocument.Parse(json);
        var frames = new FrameTable();
        var stacks = new StackAccumulator();
        var truncated = 0;
        if (!document.RootElement.TryGetProperty("recording", out var recording) || !recording.TryGetProperty("events", out var events))
        {
            throw new PerfloopException($"{sourceName}: not the JSON of 'jfr print --json'");
        }

        foreach (var sample in events.EnumerateArray())
        {
            if (!sample.TryGetProperty("values", out var values) || !values.TryGetProperty("stackTrace", out var trace) || trace.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            if (trace.TryGetProperty("truncated", out var t) && t.ValueKind == JsonValueKind.True)
            {
                truncated++;
            }

            var stack = new List<int>();
            foreach (var frame in trace.GetProperty("frames").EnumerateArray())
            {
                if (Frame(frame) is { } profileFrame)
                {
                    stack.Add(frames.Intern(profileFrame));
                }
            }
            stack.Reverse(); // jfr prints the leaf first
            stacks.Add([.. stack], 1);
        }
        if (stacks.Samples.Count == 0)
        {
            throw new PerfloopException($"{sourceName}: the recording has no CPU samples (jdk.ExecutionSample); record with settings=profile");
        }

        var notes = truncated > 0 ? new[] { string.Create(CultureInfo.InvariantCulture, $"{truncated} stacks deeper than the recording's stack depth were cut at the root side") } : [];
        return new Profile(ProfileFormat.Jfr, frames.Frames, stacks.Samples, "samples") { Notes = notes };
    }

    static ProfileFrame? Frame(JsonElement frame)
    {
        if (!frame.TryGetProperty("method", out var method) || method.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (method.TryGetProperty("hidden", out var hidden) && hidden.ValueKind == JsonValueKind.True)
        {
            return null; // lambda forms and other JVM-generated glue
        }

        var type = method.TryGetProperty("type", out var typeElement) && typeElement.ValueKind == JsonValueKind.Object ? typeElement : default;
        var typeName = type.ValueKind == JsonValueKind.Object && type.TryGetProperty("name", out var n) ? n.GetString() ?? "?" : "?";
        var methodName = method.TryGetProperty("name", out var m) ? m.GetString() ?? "?" : "?";
        string? module = null;
        if (type.ValueKind == JsonValueKind.Object && type.TryGetProperty("package", out var package) && package.ValueKind == JsonValueKind.Object
            && package.TryGetProperty("module", out var moduleElement) && moduleElement.ValueKind == JsonValueKind.Object
            && moduleElement.TryGetProperty("name", out var moduleName))
        {
            module = moduleName.GetString();
        }

        return new ProfileFrame(MethodDisplayName(typeName, methodName), null, module);
    }

    /// <summary>"com/acme/Main$Inner", "lambda$main$0" → "com.acme.Main$Inner.main": JVM names as Java source writes them, lambdas folded into their method.</summary>
    internal static string MethodDisplayName(string typeName, string methodName)
    {
        var type = typeName.Replace('/', '.');
        var lambda = Lambda().Match(methodName);
        var method = lambda.Success ? lambda.Groups["outer"].Value : methodName;
        return $"{type}.{method}";
    }

    [GeneratedRegex(@"^lambda\$(?<outer>[^$]+)\$\d+$")]
    private static partial Regex Lambda();
}
