using Perfloop.SourceCode;

namespace Perfloop.Ranking;

/// <summary>
/// Names the function whose body holds a source line, by reading the source file upward from the line to the
/// nearest declaration — the same declaration finder the fidelity check applies to git's hunk headers, so a
/// profile's names and a diff's names agree. Used to give inlined code back to the function it was written in.
/// </summary>
sealed class SourceFunctions(string? repositoryRoot)
{
    const int MaxScan = 2000;

    readonly Dictionary<string, string[]?> _files = new(StringComparer.Ordinal);
    readonly Dictionary<(string, int), string?> _answers = [];

    /// <summary>The function declared above <paramref name="line"/> (1-based) in <paramref name="file"/>, or null when the
    /// file is outside the repository, unreadable, of a language without a declaration finder, or the line lies between functions.</summary>
    public string? Enclosing(string file, int line)
    {
        if (repositoryRoot is null || line <= 0 || !Path.IsPathRooted(file) || !CodeOwnership.IsInside(file, repositoryRoot))
        {
            return null;
        }

        if (_answers.TryGetValue((file, line), out var known))
        {
            return known;
        }

        var answer = Find(file, line);
        _answers[(file, line)] = answer;
        return answer;
    }

    string? Find(string file, int line)
    {
        if (SourceDeclarations.LanguageOf(file) is not { } language || language == "python")
        {
            return null;
        }

        var lines = Lines(file);
        if (lines is null || line > lines.Length)
        {
            return null;
        }

        for (var i = line - 1; i >= 0 && i >= line - MaxScan; i--)
        {
            var text = lines[i];
            if (SourceDeclarations.FunctionIn(text, language) is { } name)
            {
                return name;
            }
            // A closing brace in the first column ends the function above: the line is between functions.
            if (i < line - 1 && text.StartsWith('}'))
            {
                return null;
            }
        }
        return null;
    }

    string[]? Lines(string file)
    {
        if (_files.TryGetValue(file, out var lines))
        {
            return lines;
        }

        try
        {
            lines = File.Exists(file) ? File.ReadAllLines(file) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            lines = null;
        }
        _files[file] = lines;
        return lines;
    }
}
