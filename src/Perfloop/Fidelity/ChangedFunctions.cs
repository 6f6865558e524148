using System.Globalization;
using System.Text.RegularExpressions;
using Perfloop.Git;

namespace Perfloop.Fidelity;

/// <summary>A function a candidate changes: where, in which language, its name and (C#) its declaring type.</summary>
public sealed record ChangedFunction(string Path, string Language, string Name, string? Container, int Line)
{
    public string DisplayName => Container is null ? Name : $"{Container}.{Name}";
}

/// <summary>A changed region of code that belongs to no function the diff can name (a field initializer, a top-level statement).</summary>
public sealed record UnattributedChange(string Path, int Line, string Text);

/// <summary>What a diff changes in code: the functions, and what could not be tied to one.</summary>
public sealed record CodeChanges(IReadOnlyList<ChangedFunction> Functions, IReadOnlyList<UnattributedChange> Unattributed, IReadOnlyList<string> UnsupportedFiles);

/// <summary>
/// Finds the functions a diff changes from git's own hunk headers: git names the function around each hunk with
/// its built-in diff drivers (<c>csharp</c>, <c>cpp</c>, <c>python</c>), which Perfloop switches on for the diff
/// only through a temporary attributes file (<c>-c core.attributesFile</c>), never touching the repository's.
/// A hunk with no context (<c>-U0</c>) starts at its first changed line, so its header is the function that holds it;
/// a function signature among the changed lines (a new or deleted function) counts too.
/// </summary>
public static partial class ChangedFunctions
{
    /// <summary>The attribute lines given to git: our drivers, for the languages we map.</summary>
    public const string Attributes = """
        *.cs diff=csharp
        *.c diff=cpp
        *.h diff=cpp
        *.cc diff=cpp
        *.cpp diff=cpp
        *.cxx diff=cpp
        *.hpp diff=cpp
        *.py diff=python
        """;

    /// <summary>The zero-context diff with function-name hunk headers.</summary>
    public static async Task<string> DiffAsync(GitRepository repository, IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        if (paths.Count == 0)
        {
            return "";
        }

        var attributes = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"perfloop-attributes-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(attributes, Attributes.Replace("\r", "", StringComparison.Ordinal) + "\n", cancellationToken);
        try
        {
            // New files included and names byte-exact (not UTF-8 ones too), without touching the real index.
            return await repository.DiffOfPathsAsync(paths, ["-U0", "--no-renames"], ["-c", $"core.attributesFile={attributes}"], cancellationToken);
        }
        finally
        {
            File.Delete(attributes);
        }
    }

    /// <summary>Language of a source file by its extension, or null when Perfloop cannot map its functions.</summary>
    public static string? LanguageOf(string path) => System.IO.Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".cs" => "csharp",
        ".c" or ".h" or ".cc" or ".cpp" or ".cxx" or ".hpp" => "c",
        ".py" => "python",
        _ => null,
    };

    /// <summary>Whether a file is program source (whose functions matter), as opposed to data or configuration.</summary>
    public static bool IsSource(string path) => LanguageOf(path) is not null || System.IO.Path.GetExtension(path).ToLowerInvariant() is
        ".go" or ".rs" or ".java" or ".kt" or ".js" or ".mjs" or ".ts" or ".fs" or ".vb" or ".rb" or ".swift" or ".scala" or ".php" or ".m" or ".zig";

    /// <summary>
    /// Maps a unified diff (as <see cref="DiffAsync"/> writes it) to functions. <paramref name="newFile"/> gives a
    /// file's new lines, used to find a C# method's declaring type; null when unknown.
    /// </summary>
    public static CodeChanges Parse(string diff, Func<string, IReadOnlyList<string>?> newFile)
    {
        var functions = new List<ChangedFunction>();
        var unattributed = new List<UnattributedChange>();
        var unsupported = new List<string>();
        var lines = diff.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        string? path = null;
        string? language = null;
        IReadOnlyList<string>? content = null;
        Hunk? hunk = null;

        void Flush()
        {
            if (hunk is null || path is null || language is null)
            {
                hunk = null;
                return;
            }

            var found = new List<ChangedFunction>();
            var header = FunctionIn(hunk.Header, language);
            var meaningful = hunk.Changed.Where(c => !IsInert(c.Text, language)).ToList();
            // A hunk only of imports, blank lines or comments changes no behaviour.
            if (meaningful.Count > 0)
            {
                var firstIsSignature = FunctionIn(meaningful[0].Text, language) is not null;
                if (header is not null && !firstIsSignature)
                {
                    found.Add(new ChangedFunction(path, language, header, ContainerOf(content, hunk.NewStart, language, path), hunk.NewStart));
                }

                foreach (var (text, line, _) in meaningful)
                {
                    if (FunctionIn(text, language) is { } name)
                    {
                        found.Add(new ChangedFunction(path, language, name, ContainerOf(content, line, language, path), line));
                    }
                }

                if (found.Count == 0)
                {
                    // The new text says best what the candidate did there.
                    var shown = meaningful.FirstOrDefault(c => c.Added, meaningful[0]);
                    unattributed.Add(new UnattributedChange(path, shown.Line, shown.Text.Trim()));
                }
            }

            functions.AddRange(found.Where(f => !functions.Any(g => g.Path == f.Path && g.DisplayName == f.DisplayName)));
            hunk = null;
        }

        foreach (var raw in lines)
        {
            if (raw.StartsWith("diff --git ", StringComparison.Ordinal))
            {
                Flush();
                path = PathOf(raw);
                language = path is null ? null : LanguageOf(path);
                content = path is not null && language is not null ? newFile(path) : null;
                if (path is not null && language is null && IsSource(path))
                {
                    unsupported.Add(path);
                }

                continue;
            }

            if (raw.StartsWith("@@", StringComparison.Ordinal) && HunkHeader().Match(raw) is { Success: true } m)
            {
                Flush();
                hunk = new Hunk(
                    m.Groups["header"].Value,
                    int.Parse(m.Groups["oldStart"].Value, CultureInfo.InvariantCulture),
                    int.Parse(m.Groups["newStart"].Value, CultureInfo.InvariantCulture));
                continue;
            }

            if (hunk is not null && raw.Length > 0 && (raw[0] == '+' || raw[0] == '-') && !raw.StartsWith("+++", StringComparison.Ordinal) && !raw.StartsWith("---", StringComparison.Ordinal))
            {
                var line = raw[0] == '+' ? hunk.NewStart + hunk.Changed.Count(c => c.Added) : hunk.NewStart;
                hunk.Changed.Add((raw[1..], line, raw[0] == '+'));
            }
        }

        Flush();
        return new CodeChanges(functions, unattributed, unsupported);
    }

    sealed record Hunk(string Header, int OldStart, int NewStart)
    {
        public List<(string Text, int Line, bool Added)> Changed { get; } = [];
    }

    static string? PathOf(string diffLine)
    {
        // "diff --git a/x b/x": without renames both names are the same path.
        var b = diffLine.LastIndexOf(" b/", StringComparison.Ordinal);
        return b < 0 ? null : diffLine[(b + 3)..].Trim('"');
    }

    /// <summary>The function a line declares (or, for a hunk header, the line git chose), or null.</summary>
    public static string? FunctionIn(string line, string language)
    {
        var text = line.Trim();
        if (text.Length == 0)
        {
            return null;
        }

        switch (language)
        {
            case "python":
                return PythonDef().Match(text) is { Success: true } def ? def.Groups[1].Value : null;
            case "csharp":
                if (CSharpTypeDeclaration().IsMatch(text) || text.StartsWith("//", StringComparison.Ordinal) || text.StartsWith('*') || text.StartsWith('['))
                {
                    return null;
                }

                goto default;
            default:
                var expressionBodied = language == "csharp" && text.Contains("=>", StringComparison.Ordinal);
                if ((text.EndsWith(';') && !expressionBodied) || text.StartsWith('#') || text.StartsWith("//", StringComparison.Ordinal) || text.StartsWith("/*", StringComparison.Ordinal))
                {
                    return null;
                }

                // A declaration: a return type (or modifiers) before the name; a call such as "foo(x);" or "if (" is not.
                var firstWord = text.Split(' ', 2)[0];
                var match = Declaration().Match(text);
                return match.Success && !Keywords.Contains(match.Groups["name"].Value) && !Keywords.Contains(firstWord) && !StatementWords.Contains(firstWord)
                    ? match.Groups["name"].Value
                    : null;
        }
    }

    /// <summary>Imports, includes, blank lines and comments: changing them alone changes no function's behaviour.</summary>
    static bool IsInert(string line, string language)
    {
        var text = line.Trim();
        if (text.Length == 0 || text is "{" or "}")
        {
            return true;
        }

        return language switch
        {
            "python" => text.StartsWith('#') || text.StartsWith("import ", StringComparison.Ordinal) || (text.StartsWith("from ", StringComparison.Ordinal) && text.Contains(" import ", StringComparison.Ordinal)),
            "csharp" => text.StartsWith("//", StringComparison.Ordinal) || (text.StartsWith("using ", StringComparison.Ordinal) && text.EndsWith(';') && !text.Contains('(', StringComparison.Ordinal)),
            _ => text.StartsWith("//", StringComparison.Ordinal) || text.StartsWith("#include", StringComparison.Ordinal) || text.StartsWith("/*", StringComparison.Ordinal) || text.StartsWith("* ", StringComparison.Ordinal),
        };
    }

    /// <summary>For C#, the nearest type declared above the line (the method's class); else the file's name for C# and null otherwise.</summary>
    static string? ContainerOf(IReadOnlyList<string>? content, int line, string language, string path)
    {
        if (language != "csharp")
        {
            return null;
        }

        if (content is not null)
        {
            for (var i = Math.Min(line, content.Count) - 1; i >= 0; i--)
            {
                var text = content[i].Trim();
                if (text.StartsWith('/') || text.StartsWith('*'))
                {
                    continue;
                }

                if (CSharpTypeDeclaration().Match(text) is { Success: true } type && type.Groups["name"].Success)
                {
                    return type.Groups["name"].Value;
                }
            }
        }

        // Top-level statements (Program.cs) and files read from elsewhere: C# names the file after its type.
        return System.IO.Path.GetFileNameWithoutExtension(path);
    }

    static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "if", "for", "foreach", "while", "switch", "catch", "using", "lock", "return", "new", "nameof", "typeof", "sizeof",
        "default", "when", "else", "do", "throw", "await", "fixed", "checked", "unchecked", "base", "this", "sizeof", "case",
    };

    /// <summary>Words that start a statement, never a declaration ("return new Foo(", "yield return Bar(").</summary>
    static readonly HashSet<string> StatementWords = new(StringComparer.Ordinal) { "var", "yield", "goto", "break", "continue", "static_assert" };

    [GeneratedRegex(@"^@@ -(?<oldStart>\d+)(?:,\d+)? \+(?<newStart>\d+)(?:,\d+)? @@ ?(?<header>.*)$")]
    private static partial Regex HunkHeader();

    [GeneratedRegex(@"^(?:async\s+)?def\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(")]
    private static partial Regex PythonDef();

    [GeneratedRegex(@"^(?:[\w\[\]]+\s+)*(?:partial\s+)?(?:class|struct|record|interface|enum)\s+(?:class\s+|struct\s+)?(?<name>[A-Za-z_][A-Za-z0-9_]*)|^namespace\s")]
    private static partial Regex CSharpTypeDeclaration();

    /// <summary>Something before the name (a type or modifier, possibly a pointer or generic), then the name and "(".</summary>
    [GeneratedRegex(@"^(?:[A-Za-z_][\w:<>,\.\[\]\?\*&]*\s+[\*&]*)+(?<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?:<[^()]*>)?\s*\(")]
    private static partial Regex Declaration();
}
