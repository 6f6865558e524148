using System.Net;
using System.Text.RegularExpressions;

namespace Perfloop.Ranking;

/// <summary>
/// HotSpot's list of every method called at least once in a run (<c>-XX:+LogTouchedMethods</c>, JDK 9 to 21), printed at
/// a normal exit into the VM log. JFR only samples, so a method that ran briefly may have no sample; this list tells
/// "never ran" from "never sampled", as the compiled-methods list of a .NET trace does. The JDK's own classes are left
/// out: fidelity asks about the program's methods.
/// </summary>
public static partial class JvmTouchedMethods
{
    /// <summary>The line HotSpot prints before the list; a log without it has no list (JDK 22+, or a JVM that did not exit normally).</summary>
    public const string Header = "# Method::print_touched_methods version 1";

    /// <summary>
    /// JVM options that write the list into <paramref name="logFilePattern"/> (<c>%p</c> is the pid) and not to the
    /// program's stdout. Unrecognized options are ignored so a JDK that dropped the flag still runs the bench.
    /// </summary>
    public static string Options(string logFilePattern) =>
        $"-XX:+IgnoreUnrecognizedVMOptions -XX:+UnlockDiagnosticVMOptions -XX:+LogTouchedMethods -XX:+PrintTouchedMethodsAtExit -XX:-DisplayVMOutput -XX:+LogVMOutput -XX:LogFile={logFilePattern}";

    /// <summary>
    /// The program's called methods ("com.acme.Main.hot", lambdas folded into their method) from every JVM's log, or
    /// null when there is no log or any log lacks the list: then absence from it proves nothing.
    /// </summary>
    public static IReadOnlyList<string>? Read(IEnumerable<string> logFiles)
    {
        ArgumentNullException.ThrowIfNull(logFiles);
        var names = new SortedSet<string>(StringComparer.Ordinal);
        var logs = 0;
        foreach (var file in logFiles)
        {
            logs++;
            if (Parse(File.ReadLines(file)) is not { } methods)
            {
                return null;
            }

            names.UnionWith(methods);
        }

        return logs == 0 ? null : [.. names];
    }

    /// <summary>
    /// The list, when it covers every program method the recording sampled; else null. A method sampled but not listed
    /// ran in a JVM that wrote no list (one started without the java launcher, or a build tool's daemon started
    /// before), so the list is not the whole run and absence from it proves nothing.
    /// </summary>
    public static IReadOnlyList<string>? CoveringSamples(IReadOnlyList<string>? called, Profile sampled)
    {
        ArgumentNullException.ThrowIfNull(sampled);
        if (called is null)
        {
            return null;
        }

        var listed = called.ToHashSet(StringComparer.Ordinal);
        var program = sampled.Samples.SelectMany(s => s.Frames).Distinct().Select(i => sampled.Frames[i].Name)
            .Where(name => !IsJdk(name.Replace('.', '/')));
        return program.All(listed.Contains) ? called : null;
    }

    /// <summary>The program's methods in one VM log, or null when the log has no touched-methods list.</summary>
    public static IReadOnlyList<string>? Parse(IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var listed = false;
        var names = new List<string>();
        foreach (var line in lines)
        {
            if (!listed)
            {
                listed = line.StartsWith(Header, StringComparison.Ordinal);
                continue;
            }

            // The log is XML: "<init>" is written "&lt;init&gt;"; other VM output may interleave ("<writer thread=…/>").
            if (Entry().Match(WebUtility.HtmlDecode(line)) is { Success: true } entry && !IsJdk(entry.Groups["type"].Value))
            {
                names.Add(JfrReader.MethodDisplayName(entry.Groups["type"].Value, entry.Groups["method"].Value));
            }
        }

        return listed ? names : null;
    }

    static bool IsJdk(string type) =>
        type.StartsWith("java/", StringComparison.Ordinal) || type.StartsWith("javax/", StringComparison.Ordinal)
        || type.StartsWith("jdk/", StringComparison.Ordinal) || type.StartsWith("sun/", StringComparison.Ordinal)
        || type.StartsWith("com/sun/", StringComparison.Ordinal);

    /// <summary>"com/acme/Main$Inner.hot:(I)I": the internal type name (slashes, no dots), the method, its descriptor.</summary>
    [GeneratedRegex(@"^(?<type>[^\s.:()]+)\.(?<method>[^\s.:/()]+):\(")]
    private static partial Regex Entry();
}
