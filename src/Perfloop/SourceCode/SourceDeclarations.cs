using System.Text.RegularExpressions;

namespace Perfloop.SourceCode;

/// <summary>
/// What Perfloop knows of source languages: a file's language by its extension, and the function a line declares —
/// shared by the fidelity check (which functions a diff changes) and the profile readers (which function a source
/// line of native code belongs to).
/// </summary>
public static partial class SourceDeclarations
{
    /// <summary>Language of a source file by its extension, or null when Perfloop cannot map its functions.</summary>
    public static string? LanguageOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".cs" => "csharp",
        ".c" or ".h" or ".cc" or ".cpp" or ".cxx" or ".hpp" or ".hh" => "c",
        ".py" => "python",
        ".java" => "java",
        ".kt" => "kotlin",
        ".go" => "go",
        ".rs" => "rust",
        ".f" or ".for" or ".f90" or ".f95" or ".f03" or ".f08" => "fortran",
        ".js" or ".mjs" or ".cjs" or ".jsx" or ".ts" or ".mts" or ".cts" or ".tsx" => "javascript",
        _ => null,
    };

    /// <summary>The function a line declares (or, for a hunk header, the line git chose), or null.</summary>
    public static string? FunctionIn(string line, string language) => DeclarationIn(line, language)?.Name;

    /// <summary>The function a line declares and, when the line itself says (C++ <c>Type::name</c>, a Go receiver), its type.</summary>
    public static (string Name, string? Container)? DeclarationIn(string line, string language)
    {
        ArgumentNullException.ThrowIfNull(line);
        var text = line.Trim();
        if (text.Length == 0)
        {
            return null;
        }

        switch (language)
        {
            case "python":
                return PythonDef().Match(text) is { Success: true } def ? (def.Groups[1].Value, null) : null;
            case "go":
                return GoFunc().Match(text) is { Success: true } func
                    ? (func.Groups["name"].Value, func.Groups["receiver"].Success ? func.Groups["receiver"].Value : null)
                    : null;
            case "rust":
                return RustFn().Match(text) is { Success: true } fn ? (fn.Groups["name"].Value, null) : null;
            case "kotlin":
                return KotlinFun().Match(text) is { Success: true } fun ? (fun.Groups["name"].Value, fun.Groups["receiver"].Success ? fun.Groups["receiver"].Value : null) : null;
            case "fortran":
                return FortranProcedure().Match(text) is { Success: true } procedure ? (procedure.Groups["name"].Value.ToLowerInvariant(), null) : null;
            case "javascript":
                return JavaScriptDeclaration(text);
            case "csharp":
                if (CSharpTypeDeclaration().IsMatch(text) || text.StartsWith("//", StringComparison.Ordinal) || text.StartsWith('*') || text.StartsWith('['))
                {
                    return null;
                }

                goto default;
            default:
                var expressionBodied = language == "csharp" && text.Contains("=>", StringComparison.Ordinal);
                if ((text.EndsWith(';') && !expressionBodied) || text.StartsWith('#') || text.StartsWith("//", StringComparison.Ordinal) || text.StartsWith("/*", StringComparison.Ordinal) || text.StartsWith('@'))
                {
                    return null;
                }

                // A declaration: a return type (or modifiers) before the name; a call such as "foo(x);" or "if (" is not.
                var firstWord = text.Split(' ', 2)[0];
                var match = Declaration().Match(text);
                if (!match.Success && language == "c")
                {
                    // A C++ constructor or destructor defined outside its class has no return type: "Parser::Parser(".
                    match = QualifiedDefinition().Match(text);
                }

                if (!match.Success || Keywords.Contains(match.Groups["name"].Value) || Keywords.Contains(firstWord) || StatementWords.Contains(firstWord))
                {
                    return null;
                }

                var qualifier = match.Groups["qualifier"].Success ? match.Groups["qualifier"].Value.TrimEnd(':') : null;
                var container = qualifier?.Split("::", StringSplitOptions.RemoveEmptyEntries)[^1];
                return (match.Groups["name"].Value, container is null ? null : TemplateArguments().Replace(container, ""));
        }
    }

    static (string, string?)? JavaScriptDeclaration(string text)
    {
        if (JavaScriptControl().IsMatch(text))
        {
            return null;
        }

        foreach (var pattern in (Regex[])[JavaScriptFunction(), JavaScriptAssigned(), JavaScriptProperty(), JavaScriptMethod()])
        {
            if (pattern.Match(text) is { Success: true } m && !Keywords.Contains(m.Groups["name"].Value))
            {
                return (m.Groups["name"].Value, null);
            }
        }

        return null;
    }

    static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "if", "for", "foreach", "while", "switch", "catch", "using", "lock", "return", "new", "nameof", "typeof", "sizeof",
        "default", "when", "else", "do", "throw", "await", "fixed", "checked", "unchecked", "base", "this", "sizeof", "case",
    };

    /// <summary>Words that start a statement, never a declaration ("return new Foo(", "yield return Bar(").</summary>
    static readonly HashSet<string> StatementWords = new(StringComparer.Ordinal) { "var", "yield", "goto", "break", "continue", "static_assert" };

    [GeneratedRegex(@"^(?:async\s+)?def\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(")]
    private static partial Regex PythonDef();

    /// <summary>Something before the name (a type or modifier, possibly a pointer or generic, or Java's type parameters), then the name (C++: qualified by its type) and "(".</summary>
    [GeneratedRegex(@"^(?:[A-Za-z_<][\w:<>,\.\[\]\?\*&]*\s+[\*&]*)+(?<qualifier>(?:[A-Za-z_]\w*(?:<[^()]*>)?::)+)?(?<name>~?[A-Za-z_][A-Za-z0-9_]*)\s*(?:<[^()]*>)?\s*\(")]
    private static partial Regex Declaration();

    [GeneratedRegex(@"^(?<qualifier>(?:[A-Za-z_]\w*(?:<[^()]*>)?::)+)(?<name>~?[A-Za-z_][A-Za-z0-9_]*)\s*\(")]
    private static partial Regex QualifiedDefinition();

    [GeneratedRegex(@"<[^<>]*>")]
    private static partial Regex TemplateArguments();

    [GeneratedRegex(@"^func\s+(?:\(\s*(?:[A-Za-z_]\w*\s+)?\*?(?<receiver>[A-Za-z_]\w*)(?:\[[^\]]*\])?\s*\)\s*)?(?<name>[A-Za-z_]\w*)\s*[\[(]")]
    private static partial Regex GoFunc();

    [GeneratedRegex(@"^(?:pub(?:\([^)]*\))?\s+)?(?:(?:default|async|const|unsafe|extern(?:\s+""[^""]*"")?)\s+)*fn\s+(?<name>[A-Za-z_]\w*)")]
    private static partial Regex RustFn();

    [GeneratedRegex(@"^(?:[a-z]+\s+)*fun\s+(?:<[^>]*>\s*)?(?:(?<receiver>[A-Za-z_]\w*)(?:<[^>]*>)?\.)?(?<name>[A-Za-z_]\w*)\s*\(")]
    private static partial Regex KotlinFun();

    [GeneratedRegex(@"^(?:(?:pure|elemental|recursive|impure|module|integer|real|logical|complex|character|double\s+precision|type\s*\([^)]*\)|[a-z]+\s*\([^)]*\))\s+)*(?:subroutine|function)\s+(?<name>[A-Za-z_]\w*)", RegexOptions.IgnoreCase)]
    private static partial Regex FortranProcedure();

    [GeneratedRegex(@"^(?:if|for|while|switch|catch|with|return|else|do|await|new|typeof|delete|throw|yield)\b")]
    private static partial Regex JavaScriptControl();

    [GeneratedRegex(@"^(?:export\s+)?(?:default\s+)?(?:async\s+)?function\s*\*?\s*(?<name>[A-Za-z_$][\w$]*)\s*[<(]")]
    private static partial Regex JavaScriptFunction();

    [GeneratedRegex(@"^(?:export\s+)?(?:const|let|var)\s+(?<name>[A-Za-z_$][\w$]*)\s*(?::[^=]*)?=\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*(?::[^=]*)?=>|[A-Za-z_$][\w$]*\s*=>)")]
    private static partial Regex JavaScriptAssigned();

    [GeneratedRegex(@"^(?<name>[A-Za-z_$][\w$]*)\s*:\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*=>)")]
    private static partial Regex JavaScriptProperty();

    [GeneratedRegex(@"^(?:(?:static|async|get|set|public|private|protected|override|readonly)\s+)*\*?(?<name>#?[A-Za-z_$][\w$]*)\s*(?:<[^>]*>)?\([^;]*\)\s*(?::[^{;=]*)?\{")]
    private static partial Regex JavaScriptMethod();

    [GeneratedRegex(@"^(?:[\w\[\]]+\s+)*(?:partial\s+)?(?:class|struct|record|interface|enum)\s+(?:class\s+|struct\s+)?(?<name>[A-Za-z_][A-Za-z0-9_]*)|^namespace\s")]
    public static partial Regex CSharpTypeDeclaration();
}
