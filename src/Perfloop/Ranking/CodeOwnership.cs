using System.Text.RegularExpressions;

namespace Perfloop.Ranking;

/// <summary>
/// Decides whether a frame is code of the repository (a target a change can make faster) or code outside it
/// (runtime, framework, libraries, kernel), which stays in the table for context but is never a target.
/// </summary>
/// <remarks>
/// In order: a known source file inside the repository is ours, one outside it is not; a binary loaded from
/// inside the repository is ours, one from outside it is not; then names: .NET framework assemblies, the
/// kernel, the C runtime and dynamic loader, the JVM, Python's standard library and site-packages, and frames
/// a profiler could not resolve are external. Anything else (a bare function name with no location) is
/// assumed to be the program's own code.
/// </remarks>
public static partial class CodeOwnership
{
    /// <returns><c>null</c> when the frame is optimizable; otherwise why it is not.</returns>
    public static string? WhyNotOptimizable(ProfileFrame frame, string? repositoryRoot)
    {
        // A relative source file names no place on disk (glibc's "./elf/dl-load.c"); the binary then tells whose code it is.
        if (frame.File is { } file && (Path.IsPathRooted(file) || frame.ModulePath is null))
        {
            if (LooksLikeLibraryPath(file))
            {
                return $"library code ({file})";
            }

            if (repositoryRoot is not null)
            {
                return IsInside(file, repositoryRoot) ? null : $"source file outside the repository ({file})";
            }

            return null;
        }
        if (UnresolvedName().IsMatch(frame.Name))
        {
            return "unresolved frame (no symbols)";
        }

        if (frame.Name == "(below main)")
        {
            return "valgrind's name for the C runtime's start-up code";
        }

        if (frame.ModulePath is { } modulePath && repositoryRoot is not null && Path.IsPathRooted(modulePath))
        {
            if (IsInside(modulePath, repositoryRoot))
            {
                return null;
            }

            return IsFrameworkModule(frame.Module) ? $"runtime/framework code ({frame.Module})" : $"module outside the repository ({frame.Module ?? modulePath})";
        }
        if (IsFrameworkModule(frame.Module))
        {
            return $"runtime/framework code ({frame.Module})";
        }

        if (frame.Module == "[kernel]" || frame.Name.EndsWith("_[k]", StringComparison.Ordinal))
        {
            return "kernel code";
        }
        // Readers name an interpreter's own code "[python]", "[v8]": built-ins, the VM, its garbage collector.
        if (frame.Module is ['[', .., ']'] interpreter)
        {
            return $"runtime code ({interpreter})";
        }

        if (GroupingFrame().IsMatch(frame.Name))
        {
            return "a profiler's process/thread grouping frame, not code";
        }

        if (ExternalName().IsMatch(frame.Name))
        {
            return "runtime or system library code";
        }

        return null;
    }

    /// <summary>.NET framework and runtime binaries ship with the runtime, never with the repository.</summary>
    public static bool IsFrameworkModule(string? module) =>
        module is not null && FrameworkModule().IsMatch(module);

    internal static bool IsInside(string path, string root)
    {
        var full = Path.IsPathRooted(path) ? Path.GetFullPath(path) : Path.GetFullPath(Path.Combine(root, path));
        var rootFull = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)) + Path.DirectorySeparatorChar;
        return full.StartsWith(rootFull, StringComparison.Ordinal);
    }

    static bool LooksLikeLibraryPath(string file) =>
        LibraryPath().IsMatch(file.Replace('\\', '/'));

    [GeneratedRegex(@"^(System|Microsoft|mscorlib|netstandard|Internal|WindowsBase|coreclr|libcoreclr|libclrjit|clrjit|libSystem\.|System\.Private\.CoreLib)(\.|$|\b)", RegexOptions.IgnoreCase)]
    private static partial Regex FrameworkModule();

    [GeneratedRegex(@"^(\[unknown\]|\?|0x[0-9a-f]+|\?!.*|.*!0x[0-9a-f]+)$", RegexOptions.IgnoreCase)]
    private static partial Regex UnresolvedName();

    // Frames profilers add above the real stack: TraceEvent/PerfView ("Process64 x (1)", "Threads", "Thread (1)",
    // "(Non-Activities)"), py-spy ("process 1:\"cmd\"", "thread (0x1)") and time buckets ("CPU_TIME").
    [GeneratedRegex(@"^(Process(32|64)? .+|\(Non-Activities\)|Threads|Thread \(\d+\).*|process \d+:.*|thread \(0x[0-9a-fA-F]+\).*|UNMANAGED_CODE_TIME|CPU_TIME|BLOCKED_TIME)$")]
    private static partial Regex GroupingFrame();

    // C runtime and loader internals (__libc_*, _dl_*, _IO_*, __memmove_avx…), the JVM and JDK, CPython's
    // interpreter loop, .NET framework namespaces when no module is known, and libraries shown as [libfoo.so].
    [GeneratedRegex(@"^(__|_dl_|_IO_|_start$|start_thread$|clone3?$|\[.*\.so.*\]|lib[a-z0-9_+-]+\.so|java/|javax/|jdk/|jdk\.|sun/|sun\.|java\.|Interpreter$|_Py|Py[A-Z]|(System|Microsoft)\.)")]
    private static partial Regex ExternalName();

    [GeneratedRegex(@"(^|/)(usr/lib|usr/local/lib|lib/python\d|site-packages|dist-packages|node_modules|\.nuget/packages|dotnet/shared|<frozen |<built-in)|^<|^node:")]
    private static partial Regex LibraryPath();
}
