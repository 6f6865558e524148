namespace Perfloop.Implementers.Knobs;

/// <summary>How a knob is written into a project file.</summary>
public enum KnobForm
{
    /// <summary>An MSBuild property (<c>&lt;TieredPGO&gt;false&lt;/TieredPGO&gt;</c>) the SDK turns into a runtimeconfig.json setting.</summary>
    Property,

    /// <summary>A <c>&lt;RuntimeHostConfigurationOption Include="…" Value="…" /&gt;</c> item, for settings without an MSBuild property.</summary>
    RuntimeOption,
}

/// <summary>
/// One .NET build/runtime setting worth trying: where it lives, its default, the value to try and why it may help.
/// Every knob here takes effect through the runtimeconfig.json that <c>dotnet build</c> writes beside the program, so
/// it changes what a build-then-run benchmark measures.
/// </summary>
/// <param name="Name">MSBuild property name, or the runtime option's name for <see cref="KnobForm.RuntimeOption"/>.</param>
/// <param name="RuntimeConfigName">The <c>configProperties</c> key it becomes (to read runtimeconfig.template.json).</param>
/// <param name="Form">Property or runtime option item.</param>
/// <param name="DefaultValue">The runtime's value when the project does not set it.</param>
/// <param name="TryValue">The value a candidate sets.</param>
/// <param name="Area">jit, gc, globalization, resources or startup.</param>
/// <param name="Summary">The candidate's one-line summary: what changes and why it may be faster.</param>
/// <param name="Domains">Domains the knob is offered in (a GC memory knob is no CPU candidate).</param>
public sealed record RuntimeKnob(
    string Name,
    KnobForm Form,
    string RuntimeConfigName,
    string DefaultValue,
    string TryValue,
    string Area,
    string Summary,
    IReadOnlyList<string> Domains)
{
    static readonly string[] Speed = ["cpu", "structure", "async"];
    static readonly string[] Memory = ["memory"];
    static readonly string[] All = ["cpu", "structure", "async", "memory"];

    /// <summary>
    /// The catalogue, in the order tried: JIT tiering first (the usual win for short-lived programs), then GC mode,
    /// then globalization/resources. Not here, and why:
    /// <list type="bullet">
    /// <item>ReadyToRun: <c>PublishReadyToRun</c> only acts on <c>dotnet publish</c>; <see cref="KnobCatalogue.ReadyToRun"/> is offered only when the build command publishes.</item>
    /// <item>GC gen0 size, heap limits, affinitize: machine-specific, and they move the problem rather than solve it.</item>
    /// <item>DATAS (<c>GarbageCollectionAdaptationMode</c>): only acts with Server GC, which is tried on its own.</item>
    /// </list>
    /// </summary>
    public static IReadOnlyList<RuntimeKnob> Catalogue { get; } =
    [
        new("TieredPGO", KnobForm.Property, "System.Runtime.TieredPGO", "true", "false", "jit",
            "Turn off tiered PGO: no instrumented tier, so hot methods reach optimized code sooner in a short run", All),
        new("TieredCompilationQuickJitForLoops", KnobForm.Property, "System.Runtime.TieredCompilation.QuickJitForLoops", "true", "false", "jit",
            "JIT methods with loops fully optimized at once instead of quick JIT plus on-stack replacement", All),
        new("TieredCompilation", KnobForm.Property, "System.Runtime.TieredCompilation", "true", "false", "jit",
            "Turn off tiered compilation: every method is JIT-compiled fully optimized on first call", All),
        new("TieredCompilationQuickJit", KnobForm.Property, "System.Runtime.TieredCompilation.QuickJit", "true", "false", "jit",
            "Turn off quick JIT: methods without pre-compiled code start optimized", All),
        new("ConcurrentGarbageCollection", KnobForm.Property, "System.GC.Concurrent", "true", "false", "gc",
            "Turn off background GC: no background GC thread competing for the cores", All),
        new("ServerGarbageCollector", KnobForm.Property, "System.GC.Server", "false", "true", "gc",
            "Use the server GC: per-core heaps and parallel collections", Speed),
        new("RetainVMGarbageCollection", KnobForm.Property, "System.GC.RetainVM", "false", "true", "gc",
            "Keep freed GC segments for reuse instead of returning them to the OS", Speed),
        new("System.GC.ConserveMemory", KnobForm.RuntimeOption, "System.GC.ConserveMemory", "0", "5", "gc",
            "Ask the GC to conserve memory (compact more often to keep the heap small)", Memory),
        new("InvariantGlobalization", KnobForm.Property, "System.Globalization.Invariant", "false", "true", "globalization",
            "Use invariant globalization: no ICU loading, culture-independent string operations", All),
        new("UseSystemResourceKeys", KnobForm.Property, "System.Resources.UseSystemResourceKeys", "false", "true", "resources",
            "Use resource keys instead of loading localized exception messages", All),
    ];
}

/// <summary>Knobs whose honesty depends on how the repository builds.</summary>
public static class KnobCatalogue
{
    /// <summary>ReadyToRun, which only a publish produces.</summary>
    public static RuntimeKnob ReadyToRun { get; } = new("PublishReadyToRun", KnobForm.Property, "", "false", "true", "startup",
        "Pre-compile the assemblies to native code (ReadyToRun) so startup JITs less", ["cpu", "structure"]);

    /// <summary>The knobs to offer for a domain and build command, and the ones left out with the reason.</summary>
    public static (IReadOnlyList<RuntimeKnob> Offered, IReadOnlyList<string> Skipped) For(string domain, string? buildCommand)
    {
        var offered = RuntimeKnob.Catalogue.Where(k => k.Domains.Contains(domain, StringComparer.OrdinalIgnoreCase)).ToList();
        var skipped = RuntimeKnob.Catalogue.Where(k => !offered.Contains(k))
            .Select(k => $"{k.Name}: not a {domain} knob").ToList();
        var publishes = buildCommand is not null && buildCommand.Contains(" publish", StringComparison.Ordinal);
        if (publishes)
        {
            offered.Insert(0, ReadyToRun);
        }
        else
        {
            skipped.Add("PublishReadyToRun: only 'dotnet publish' honours it and the configured build does not publish, so it cannot change what is measured");
        }

        return (offered, skipped);
    }
}
