using System.Globalization;
using System.Text.RegularExpressions;
using Perfloop.Git;
using Perfloop.SourceCode;

namespace Perfloop.Fidelity;

/// <summary>A function a candidate changes: where, in which language, its name and (C#) its declaring type.</summary>
public sealed record ChangedFunction(string Path, string Language, string Name, string? Container, int Line)
{
    public string DisplayName => Container is null ? Name : $"{Container}.{Name}";

    /// <summary>The lines of the unchanged file the change replaces (or, for pure additions, the two lines around them).</summary>
    public Ranking.LineSpan? BaselineLines { get; init; }
}

/// <summary>A changed region of code that belongs to no function the diff can name (a field initializer, a top-level statement).</summary>
public sealed record UnattributedChange(string Path, int Line, string Text)
{
    /// <summary>The lines of the unchanged file the change replaces (or, for pure additions, the two lines around them).</summary>
    public Ranking.LineSpan? BaselineLines { get; init; }
}

/// <summary>What a diff changes in code: the functions, and what could not be tied to one.</summary>
public sealed record CodeChanges(IReadOnlyList<ChangedFunction> Functions, IReadOnlyList<UnattributedChange> Unattributed, IReadOnlyList<string> UnsupportedFiles);

/// <summary>
/// Finds the functions a diff changes from git's own hunk headers: git names the function around each hunk with
/// its built-in diff drivers (<c>csharp</c>, <c>cpp</c>, <c>python</c>, <c>java</c>, <c>golang</c>, <c>rust</c>,
/// <c>kotlin</c>, <c>fortran</c>) and, for JavaScript and TypeScript, which git has no driver for, a function-name
/// pattern Perfloop passes on the command line. Perfloop switches them on for the diff only, through a temporary
/// attributes file (<c>-c core.attributesFile</c>), never touching the repository's.
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
        *.hh diff=cpp
        *.py diff=python
        *.java diff=java
        *.kt diff=kotlin
        *.go diff=golang
        *.rs diff=rust
        *.f diff=fortran
        *.for diff=fortran
        *.f90 diff=fortran
        *.f95 diff=fortran
        *.f03 diff=fortran
        *.f08 diff=fortran
        *.js diff=perfloop-javascript
        *.mjs diff=perfloop-javascript
        *.cjs diff=perfloop-javascript
        *.jsx diff=perfloop-javascript
        *.ts diff=perfloop-javascript
        *.mts diff=perfloop-javascript
        *.cts diff=perfloop-javascript
        *.tsx diff=perfloop-javascript
        """;

    /// <summary>
    /// git's function-name pattern for JavaScript/TypeScript (POSIX extended regexes, one per line; a leading "!"
    /// rejects): function declarations, class methods, functions assigned to a name, classes; not control statements.
    /// </summary>
    public static readonly string JavaScriptFunctionPattern = string.Join('\n',
        """!^[[:blank:]]*(if|for|while|switch|catch|with|return|else|do|await|new|typeof|delete|throw|yield)[^A-Za-z0-9_$]""",
        """^[[:blank:]]*((export[[:blank:]]+)?(default[[:blank:]]+)?(async[[:blank:]]+)?function[[:blank:]*]*[A-Za-z_$][A-Za-z0-9_$]*[[:blank:]]*\(.*"""
        + """|((static|async|get|set|public|private|protected|override|readonly)[[:blank:]]+)*[*]?[#A-Za-z_$][A-Za-z0-9_$]*[[:blank:]]*(<[^>]*>)?\([^;]*\)[[:blank:]]*(:[^{;=]*)?\{.*"""
        + """|(export[[:blank:]]+)?(const|let|var)[[:blank:]]+[A-Za-z_$][A-Za-z0-9_$]*[[:blank:]]*(:[^=]*)?=[[:blank:]]*(async[[:blank:]]+)?(function|\([^)]*\)[[:blank:]]*(:[^=]*)?=>|[A-Za-z_$][A-Za-z0-9_$]*[[:blank:]]*=>).*"""
        + """|[A-Za-z_$][A-Za-z0-9_$]*[[:blank:]]*:[[:blank:]]*(async[[:blank:]]+)?(function|\([^)]*\)[[:blank:]]*=>).*"""
        + """|(export[[:blank:]]+)?(default[[:blank:]]+)?(abstract[[:blank:]]+)?class[[:blank:]]+[A-Za-z_$].*)$""");

    /// <summary>The zero-context diff with function-name hunk headers.</summary>
    public static async Task<string> DiffAsync(GitRepository repository, IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        if (paths.Count == 0)
        {
            return "";
        }

        var attributes = await AttributesFileAsync(cancellationToken);
        // New files included and names byte-exact (not UTF-8 ones too), without touching the real index.
        return await repository.DiffOfPathsAsync(
            paths,
            ["-U0", "--no-renames"],
            ["-c", $"core.attributesFile={attributes}", "-c", $"diff.perfloop-javascript.xfuncname={JavaScriptFunctionPattern}"],
            cancellationToken);
    }

    /// <summary>
    /// The attributes file git reads for the diff drivers: one file per content, named by its hash and reused, so a
    /// Perfloop killed mid-diff leaves no file behind (a file per diff did: 27 in /tmp after a day of kill tests).
    /// Written to a unique name and renamed, so concurrent loops never read a half-written one.
    /// </summary>
    static async Task<string> AttributesFileAsync(CancellationToken cancellationToken)
    {
        var content = Attributes.Replace("\r", "", StringComparison.Ordinal) + "\n";
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(content)))[..16];
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"perfloop-attributes-{hash}");
        if (!File.Exists(path) || await File.ReadAllTextAsync(path, cancellationToken) != content)
        {
            var temporary = $"{path}.{Guid.NewGuid():N}";
            await File.WriteAllTextAsync(temporary, content, cancellationToken);
            File.Move(temporary, path, overwrite: true);
        }

        return path;
    }

    /// <summary>Language of a source file by its extension, or null when Perfloop cannot map its functions.</summary>
    public static string? LanguageOf(string path) => SourceDeclarations.LanguageOf(path);

    /// <summary>The function a line declares, or null (see <see cref="SourceDeclarations.FunctionIn"/>).</summary>
    public static string? FunctionIn(string line, string language) => SourceDeclarations.FunctionIn(line, language);

    /// <summary>Whether a file is program source (whose functions matter), as opposed to data or configuration.</summary>
    public static bool IsSource(string path) => LanguageOf(path) is not null || System.IO.Path.GetExtension(path).ToLowerInvariant() is
        ".fs" or ".vb" or ".rb" or ".swift" or ".scala" or ".php" or ".m" or ".zig" or ".lua" or ".pl" or ".ex" or ".exs" or ".hs" or ".ml" or ".dart" or ".jl" or ".r";

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
            var header = SourceDeclarations.DeclarationIn(hunk.Header, language);
            var meaningful = hunk.Changed.Where(c => !IsInert(c.Text, language)).ToList();
            // A hunk only of imports, blank lines or comments changes no behaviour.
            if (meaningful.Count > 0)
            {
                var firstIsSignature = FunctionIn(meaningful[0].Text, language) is not null;
                // git names the nearest function that starts above the hunk, even one that ended before it: the change
                // may sit in an anonymous function or at top level after it, and must not be charged to that name.
                if (header is not null && !firstIsSignature && !FunctionScope.EndsBefore(content, hunk.Header, meaningful[0].Line, language))
                {
                    found.Add(new ChangedFunction(path, language, header.Value.Name, header.Value.Container ?? ContainerOf(content, hunk.NewStart, language, path), hunk.NewStart) { BaselineLines = hunk.BaselineLines });
                }

                foreach (var (text, line, _) in meaningful)
                {
                    if (SourceDeclarations.DeclarationIn(text, language) is { } declared)
                    {
                        found.Add(new ChangedFunction(path, language, declared.Name, declared.Container ?? ContainerOf(content, line, language, path), line) { BaselineLines = hunk.BaselineLines });
                    }
                }

                if (found.Count == 0)
                {
                    // The new text says best what the candidate did there.
                    var shown = meaningful.FirstOrDefault(c => c.Added, meaningful[0]);
                    unattributed.Add(new UnattributedChange(path, shown.Line, shown.Text.Trim()) { BaselineLines = hunk.BaselineLines });
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

        /// <summary>The removed lines of the old file; for an addition only, the old lines before and after it (git's old start is the line before).</summary>
        public Ranking.LineSpan BaselineLines => Changed.Count(c => !c.Added) is var removed and > 0
            ? new Ranking.LineSpan(OldStart, OldStart + removed - 1)
            : new Ranking.LineSpan(Math.Max(1, OldStart), OldStart + 1);
    }

    static string? PathOf(string diffLine)
    {
        // "diff --git a/x b/x": without renames both names are the same path.
        var b = diffLine.LastIndexOf(" b/", StringComparison.Ordinal);
        return b < 0 ? null : diffLine[(b + 3)..].Trim('"');
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
            "java" or "kotlin" or "go" or "javascript" => text.StartsWith("//", StringComparison.Ordinal) || text.StartsWith("/*", StringComparison.Ordinal) || text.StartsWith("* ", StringComparison.Ordinal)
                || text.StartsWith("import ", StringComparison.Ordinal) || text.StartsWith("package ", StringComparison.Ordinal),
            "rust" => text.StartsWith("//", StringComparison.Ordinal) || (text.StartsWith("use ", StringComparison.Ordinal) && text.EndsWith(';')),
            "fortran" => text.StartsWith('!'),
            _ => text.StartsWith("//", StringComparison.Ordinal) || text.StartsWith("#include", StringComparison.Ordinal) || text.StartsWith("/*", StringComparison.Ordinal) || text.StartsWith("* ", StringComparison.Ordinal),
        };
    }

    /// <summary>
    /// The type that holds the function at <paramref name="line"/>, read from the new file: the nearest type declared above
    /// it (C#, Java), the enclosing class by indentation (Python), the enclosing impl block (Rust); for C# without the file,
    /// the file's name; null for languages whose profiles name functions without their type (C, JavaScript).
    /// </summary>
    static string? ContainerOf(IReadOnlyList<string>? content, int line, string language, string path)
    {
        switch (language)
        {
            case "csharp" or "java" or "kotlin":
                if (content is not null)
                {
                    for (var i = Math.Min(line, content.Count) - 1; i >= 0; i--)
                    {
                        var text = content[i].Trim();
                        if (text.StartsWith('/') || text.StartsWith('*'))
                        {
                            continue;
                        }

                        if (SourceDeclarations.CSharpTypeDeclaration().Match(text) is { Success: true } type && type.Groups["name"].Success)
                        {
                            return type.Groups["name"].Value;
                        }
                    }
                }

                // Top-level statements (Program.cs) and files read from elsewhere: C# and Java name the file after its type.
                return language == "kotlin" ? null : System.IO.Path.GetFileNameWithoutExtension(path);
            case "python":
                return content is null ? null : Enclosing(content, line, "def ", PythonClass());
            case "rust":
                return content is null ? null : Enclosing(content, line, "fn ", RustImpl());
            default:
                return null;
        }
    }

    /// <summary>The name a less-indented line above the function's declaration (the nearest line at or above <paramref name="line"/> holding <paramref name="declaration"/>) gives, by <paramref name="holder"/>.</summary>
    static string? Enclosing(IReadOnlyList<string> content, int line, string declaration, Regex holder)
    {
        var at = Math.Min(line, content.Count) - 1;
        while (at >= 0 && !content[at].Contains(declaration, StringComparison.Ordinal))
        {
            at--;
        }

        if (at < 0)
        {
            return null;
        }

        var indent = FunctionScope.Indentation(content[at]);
        for (var i = at - 1; i >= 0 && indent > 0; i--)
        {
            var text = content[i];
            if (text.Trim().Length == 0 || FunctionScope.Indentation(text) >= indent)
            {
                continue;
            }

            indent = FunctionScope.Indentation(text);
            if (holder.Match(text.Trim()) is { Success: true } m)
            {
                return m.Groups["name"].Value;
            }
        }

        return null;
    }

    [GeneratedRegex(@"^@@ -(?<oldStart>\d+)(?:,\d+)? \+(?<newStart>\d+)(?:,\d+)? @@ ?(?<header>.*)$")]
    private static partial Regex HunkHeader();

    [GeneratedRegex(@"^impl(?:<[^>]*>)?\s+(?:[\w:<>, ]+\s+for\s+)?(?:[A-Za-z_]\w*::)*(?<name>[A-Za-z_]\w*)")]
    private static partial Regex RustImpl();

    [GeneratedRegex(@"^class\s+(?<name>[A-Za-z_]\w*)")]
    private static partial Regex PythonClass();

}
