using System.Text.RegularExpressions;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;
using Perfloop.Errors;

namespace Perfloop.Ranking;

/// <summary>
/// Reads a .NET EventPipe trace with TraceEvent: the SampleProfiler's managed samples become stacks, and the
/// runtime provider's GC and allocation-tick events become <see cref="RuntimeSignals"/>.
/// </summary>
/// <remarks>
/// Only samples of threads running managed code count ("Managed" samples). "External" samples are threads in
/// native code — blocked, or inside the runtime; they are not CPU spent in code the repository can change, and
/// the GC's share is reported separately as <see cref="RuntimeSignals.GcPauseShare"/>.
/// </remarks>
public static partial class NettraceReader
{
    const string SampleProfilerProvider = "Microsoft-DotNETCore-SampleProfiler";

    public static Profile Read(string path)
    {
        var etlxPath = Path.Combine(Path.GetTempPath(), $"perfloop-{Guid.NewGuid():N}.etlx");
        try
        {
            try
            {
                TraceLog.CreateFromEventPipeDataFile(path, etlxPath);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new PerfloopException($"{path}: not a readable .nettrace file ({e.Message}); record one with {Mention.Command("profile -- CMD")}");
            }
            using var log = new TraceLog(etlxPath);
            return Read(log, path);
        }
        finally
        {
            File.Delete(etlxPath);
        }
    }

    static Profile Read(TraceLog log, string path)
    {
        var frames = new FrameTable();
        var stacks = new StackAccumulator();
        var modules = new ModuleNames();
        var externalSamples = 0;
        var gcCount = 0;
        var gcPause = new GcPauseClock();
        long allocationBytes = 0;
        var bytesByType = new Dictionary<string, long>(StringComparer.Ordinal);
        var bytesByMethod = new Dictionary<string, long>(StringComparer.Ordinal);

        foreach (var data in log.Events)
        {
            switch (data)
            {
                case GCStartTraceData:
                    gcCount++;
                    break;
                case GCSuspendEETraceData suspend:
                    gcPause.Suspended(suspend.Reason is GCSuspendEEReason.SuspendForGC or GCSuspendEEReason.SuspendForGCPrep, suspend.TimeStampRelativeMSec);
                    break;
                case GCAllocationTickTraceData tick:
                    var bytes = tick.AllocationAmount64 > 0 ? tick.AllocationAmount64 : tick.AllocationAmount;
                    allocationBytes += bytes;
                    var typeName = string.IsNullOrEmpty(tick.TypeName) ? "(unknown type)" : tick.TypeName;
                    bytesByType[typeName] = bytesByType.GetValueOrDefault(typeName) + bytes;
                    var allocator = AllocatingMethod(tick.CallStack(), modules);
                    bytesByMethod[allocator] = bytesByMethod.GetValueOrDefault(allocator) + bytes;
                    break;
                default:
                    if (data.EventName == "GC/RestartEEStop")
                    {
                        gcPause.Restarted(data.TimeStampRelativeMSec);
                    }
                    else if (data.ProviderName == SampleProfilerProvider && data.EventName == "Thread/Sample")
                    {
                        if (!IsManagedSample(data))
                        {
                            externalSamples++;
                            break;
                        }
                        var stack = StackOf(data.CallStack(), frames, modules);
                        if (stack.Length > 0)
                        {
                            stacks.Add(stack, 1);
                        }
                    }
                    break;
            }
        }

        if (stacks.Samples.Count == 0)
        {
            throw new PerfloopException($"{path}: the trace has no managed CPU samples; was it recorded with the Microsoft-DotNETCore-SampleProfiler provider?");
        }

        var notes = externalSamples > 0
            ? new[] { $"{externalSamples} samples of threads in native code (blocked or inside the runtime) are not ranked" }
            : [];
        var duration = log.SessionDuration;
        var signals = new RuntimeSignals(duration.TotalMilliseconds, gcCount, gcPause.PauseMs, allocationBytes, Top(bytesByType, allocationBytes), Top(bytesByMethod, allocationBytes));
        return new Profile(ProfileFormat.Nettrace, modules.Canonical(frames.Frames), stacks.Samples, "samples") { Runtime = signals, Notes = notes };
    }

    static bool IsManagedSample(TraceEvent data) =>
        data.PayloadByName("Type") is { } type && (type.ToString() == "Managed" || (type is IConvertible && Convert.ToInt32(type, System.Globalization.CultureInfo.InvariantCulture) == 2));

    /// <summary>Root-first frame indices; PollGC frames are dropped (a sampling artifact: the thread was stopped at a GC poll in its caller).</summary>
    static int[] StackOf(TraceCallStack? callStack, FrameTable frames, ModuleNames modules)
    {
        var leafFirst = new List<int>();
        for (var frame = callStack; frame is not null; frame = frame.Caller)
        {
            var profileFrame = FrameOf(frame.CodeAddress, modules);
            if (profileFrame.Name.Contains("PollGC", StringComparison.Ordinal))
            {
                continue;
            }

            leafFirst.Add(frames.Intern(profileFrame));
        }
        leafFirst.Reverse();
        return [.. leafFirst];
    }

    static ProfileFrame FrameOf(TraceCodeAddress address, ModuleNames modules)
    {
        var module = modules.Note(address.ModuleName);
        var name = string.IsNullOrEmpty(address.FullMethodName) ? $"{module ?? "?"}!0x{address.Address:x}" : MethodDisplayName(address.FullMethodName);
        return new ProfileFrame(name, null, module, address.ModuleFile?.FilePath is { Length: > 0 } filePath ? filePath : null);
    }

    static string AllocatingMethod(TraceCallStack? callStack, ModuleNames modules)
    {
        string? leaf = null;
        for (var frame = callStack; frame is not null; frame = frame.Caller)
        {
            var profileFrame = FrameOf(frame.CodeAddress, modules);
            leaf ??= profileFrame.Name;
            if (!CodeOwnership.IsFrameworkModule(profileFrame.Module))
            {
                return profileFrame.Name;
            }
        }
        return leaf ?? "(no stack)";
    }

    static List<AllocationSite> Top(Dictionary<string, long> bytes, long total, int count = 10) =>
        [.. bytes.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(count)
            .Select(p => new AllocationSite(p.Key, p.Value, total > 0 ? 100.0 * p.Value / total : 0))];

    /// <summary>
    /// "Ns.Type+&lt;&gt;c__DisplayClass0_0.&lt;Count&gt;b__0(sig)" → "Ns.Type.Count": the signature is dropped
    /// (overloads merge) and compiler-generated lambdas, local functions and async/iterator state machines are
    /// folded into the method whose source holds them — that method is what a change would edit.
    /// </summary>
    internal static string MethodDisplayName(string fullMethodName)
    {
        var name = fullMethodName;
        var signature = name.IndexOf('(', StringComparison.Ordinal);
        if (signature > 0)
        {
            name = name[..signature];
        }

        var lambda = Lambda().Match(name);
        if (lambda.Success)
        {
            return $"{lambda.Groups["type"].Value}.{lambda.Groups["method"].Value}";
        }

        var stateMachine = StateMachine().Match(name);
        if (stateMachine.Success)
        {
            return $"{stateMachine.Groups["type"].Value}.{stateMachine.Groups["method"].Value}";
        }

        var local = LocalFunction().Match(name);
        if (local.Success)
        {
            return $"{local.Groups["type"].Value}.{local.Groups["outer"].Value.Trim('<', '>', '$')}.{local.Groups["local"].Value}";
        }

        return name;
    }

    [GeneratedRegex(@"^(?<type>.+?)\+<>c(?:__DisplayClass[\d_]+)?\.<(?<method>[^<>]+)>b__[\d_]+$")]
    private static partial Regex Lambda();

    [GeneratedRegex(@"^(?<type>.+?)\+<(?<method>[^<>]+)>d__[\d_]+\.MoveNext$")]
    private static partial Regex StateMachine();

    [GeneratedRegex(@"^(?<type>.+?)\.<(?<outer>.+)>g__(?<local>[^|]+)\|[\d_]+$")]
    private static partial Regex LocalFunction();

    /// <summary>
    /// Pairs each suspension of the runtime with the restart that ends it, counting only suspensions for a GC:
    /// the runtime also suspends for other reasons (tiered compilation, the debugger), which are not GC pause.
    /// </summary>
    internal sealed class GcPauseClock
    {
        double? _gcSuspendStartMsec;

        public double PauseMs { get; private set; }

        public void Suspended(bool forGc, double atMsec) => _gcSuspendStartMsec = forGc ? atMsec : null;

        public void Restarted(double atMsec)
        {
            if (_gcSuspendStartMsec is { } start && atMsec >= start)
            {
                PauseMs += atMsec - start;
            }

            _gcSuspendStartMsec = null;
        }
    }

    /// <summary>The same module can be reported as "System.Private.CoreLib" and "system.private.corelib": one spelling per module.</summary>
    sealed class ModuleNames
    {
        readonly Dictionary<string, string> _spelling = new(StringComparer.OrdinalIgnoreCase);

        public string? Note(string? module)
        {
            if (string.IsNullOrEmpty(module))
            {
                return null;
            }

            if (!_spelling.TryGetValue(module, out var known) || CountUpper(module) > CountUpper(known))
            {
                _spelling[module] = module;
            }

            return module;
        }

        public IReadOnlyList<ProfileFrame> Canonical(IReadOnlyList<ProfileFrame> frames) =>
            [.. frames.Select(f => f.Module is null ? f : f with { Module = _spelling[f.Module] })];

        static int CountUpper(string text) => text.Count(char.IsUpper);
    }
}
