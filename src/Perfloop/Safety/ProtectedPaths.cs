using System.Text.RegularExpressions;

namespace Perfloop.Safety;

/// <summary>
/// Paths a candidate may never touch: tests and the guard's own files (a change must not make the guard
/// pass by editing it), Perfloop's configuration and state, and whatever the user adds.
/// </summary>
public sealed partial class ProtectedPaths
{
    static readonly string[] TestDirectoryNames = ["test", "tests", "__tests__", "spec", "specs", "testing"];

    readonly List<Regex> userPatterns;
    readonly HashSet<string> guardFiles;

    public ProtectedPaths(IEnumerable<string> userPatterns, IEnumerable<string> guardFiles)
    {
        this.userPatterns = userPatterns.Select(GlobToRegex).ToList();
        this.guardFiles = guardFiles.Select(Normalize).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Describes the defaults for prompts and documentation.</summary>
    public static string DefaultsDescription =>
        "test folders (test/, tests/, Tests/, __tests__/, spec/, *.Tests/ …) and test files (*Tests.cs, test_*.py, *_test.go, *.test.js …), the guard's own files, perfloop.json and .perfloop/";

    /// <summary>Why <paramref name="path"/> is protected, or null when a candidate may change it.</summary>
    public string? Reason(string path)
    {
        // A name that is not UTF-8 arrives quoted (Git.GitPaths); its prefixes (tests/, .perfloop/) must still count.
        var p = Normalize(Git.GitPaths.Display(path));
        if (p == Configuration.PerfloopConfig.FileName || p.StartsWith(Configuration.PerfloopPaths.StateDirectoryName + "/", StringComparison.Ordinal))
        {
            return "Perfloop's own configuration and state";
        }

        if (guardFiles.Contains(p))
        {
            return "a file the guard command runs";
        }

        var segments = p.Split('/');
        foreach (var directory in segments[..^1])
        {
            if (TestDirectoryNames.Contains(directory, StringComparer.OrdinalIgnoreCase)
                || directory.EndsWith(".Tests", StringComparison.OrdinalIgnoreCase)
                || directory.EndsWith(".Test", StringComparison.OrdinalIgnoreCase)
                || directory.EndsWith("Tests", StringComparison.Ordinal))
            {
                return "a test folder";
            }
        }

        var file = segments[^1];
        if (TestFileName().IsMatch(file))
        {
            return "a test file";
        }

        foreach (var pattern in userPatterns)
        {
            if (pattern.IsMatch(p))
            {
                return "listed in protectedPaths";
            }
        }

        return null;
    }

    /// <summary>The first protected path among <paramref name="paths"/>, with the reason, or null.</summary>
    public (string Path, string Reason)? FirstViolation(IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            if (Reason(path) is { } reason)
            {
                return (path, reason);
            }
        }

        return null;
    }

    /// <summary>Files named in the guard command that exist in the repository (scripts, test projects).</summary>
    public static IEnumerable<string> FilesNamedIn(string? command, string repositoryRoot)
    {
        if (string.IsNullOrWhiteSpace(command))
        {
            yield break;
        }

        foreach (var word in ShellWords(command))
        {
            var candidate = word.StartsWith("./", StringComparison.Ordinal) ? word[2..] : word;
            if (candidate.Length == 0 || candidate.StartsWith('-') || Path.IsPathRooted(candidate))
            {
                continue;
            }

            var full = Path.GetFullPath(Path.Combine(repositoryRoot, candidate));
            if (full.StartsWith(Path.GetFullPath(repositoryRoot) + Path.DirectorySeparatorChar, StringComparison.Ordinal) && File.Exists(full))
            {
                yield return Path.GetRelativePath(repositoryRoot, full);
            }
        }
    }

    /// <summary>
    /// The words of a shell command as the shell would split them: quotes group (so inline code such as
    /// <c>node -e "require('./lib.js')"</c> is one word, not a mention of lib.js), and <c>; &amp; |</c> separate.
    /// </summary>
    internal static IEnumerable<string> ShellWords(string command)
    {
        var word = new System.Text.StringBuilder();
        char? quote = null;
        foreach (var c in command)
        {
            if (quote is { } q)
            {
                if (c == q)
                {
                    quote = null;
                }
                else
                {
                    word.Append(c);
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (char.IsWhiteSpace(c) || c is ';' or '&' or '|' or '(' or ')')
            {
                if (word.Length > 0)
                {
                    yield return word.ToString();
                    word.Clear();
                }
            }
            else
            {
                word.Append(c);
            }
        }

        if (word.Length > 0)
        {
            yield return word.ToString();
        }
    }

    static string Normalize(string path) => path.Replace('\\', '/').TrimStart('/');

    static Regex GlobToRegex(string glob)
    {
        var g = Normalize(glob);
        if (g.EndsWith('/'))
        {
            g += "**";
        }

        var pattern = Regex.Escape(g).Replace(@"\*\*", "§", StringComparison.Ordinal).Replace(@"\*", "[^/]*", StringComparison.Ordinal)
            .Replace(@"\?", "[^/]", StringComparison.Ordinal).Replace("§", ".*", StringComparison.Ordinal);
        // A bare name or prefix without wildcards protects that path and everything under it.
        var suffix = glob.Contains('*', StringComparison.Ordinal) ? "$" : "(/.*)?$";
        return new Regex("^" + pattern + suffix, RegexOptions.CultureInvariant);
    }

    [GeneratedRegex(@"(^test_.*\.py$)|(_test\.(py|go)$)|(Tests?\.cs$)|(\.(test|spec)\.[cm]?[jt]sx?$)|(_spec\.rb$)|(Test\.java$)", RegexOptions.CultureInvariant)]
    private static partial Regex TestFileName();
}
