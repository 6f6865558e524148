namespace Perfloop.Fidelity;

/// <summary>
/// Whether the function a hunk header names still encloses the hunk. A hunk header is only the nearest line above the
/// hunk that looks like a function's start (git's funcname rule); read from the new file, the function's own extent —
/// braces, or Python's indentation — says whether the change is inside it. Written here rather than taken from a parser
/// library because it must work for every language the check maps, on a file that may not even compile.
/// </summary>
public static class FunctionScope
{
    /// <summary>
    /// True when the new file shows that the function declared by <paramref name="header"/> (the nearest such line above
    /// <paramref name="changedLine"/>) ends before that line; false when it encloses it, or when the file cannot tell.
    /// </summary>
    public static bool EndsBefore(IReadOnlyList<string>? content, string header, int changedLine, string language)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(language);
        var wanted = header.Trim();
        if (content is null || wanted.Length == 0 || changedLine < 1)
        {
            return false;
        }

        var declaration = -1;
        for (var i = Math.Min(changedLine - 1, content.Count) - 1; i >= 0; i--)
        {
            // git writes the line with its trailing blanks removed, cut to 80 bytes at most.
            if (content[i].Trim().StartsWith(wanted, StringComparison.Ordinal))
            {
                declaration = i;
                break;
            }
        }

        if (declaration < 0)
        {
            return false;
        }

        var changedIndex = changedLine - 1;
        return language == "python" ? PythonBodyEndsBefore(content, declaration, changedIndex) : BracesCloseBefore(content, declaration, changedIndex);
    }

    /// <summary>
    /// The function's body braces open after its declaration and balance again on a line before
    /// <paramref name="changedIndex"/>. Braces before the parameter list closes (a destructured or default parameter) are
    /// not the body's.
    /// </summary>
    static bool BracesCloseBefore(IReadOnlyList<string> content, int declaration, int changedIndex)
    {
        var scan = new BraceScan();
        for (var i = declaration; i < changedIndex && i < content.Count; i++)
        {
            if (scan.ClosesOn(content[i]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Brace depth over lines, outside string and character literals and comments.</summary>
    sealed class BraceScan
    {
        int depth;
        bool sawParenthesis;
        bool parametersDone;
        bool opened;
        bool inBlockComment;

        /// <summary>Reads one more line; true once the body that opened has closed.</summary>
        public bool ClosesOn(string line)
        {
            char? quote = null;
            for (var i = 0; i < line.Length; i++)
            {
                var c = line[i];
                var next = i + 1 < line.Length ? line[i + 1] : '\0';
                if (inBlockComment)
                {
                    if (c == '*' && next == '/')
                    {
                        inBlockComment = false;
                        i++;
                    }

                    continue;
                }

                if (quote is { } q)
                {
                    if (c == '\\')
                    {
                        i++;
                    }
                    else if (c == q)
                    {
                        quote = null;
                    }

                    continue;
                }

                switch (c)
                {
                    case '/' when next == '/':
                        return false;
                    case '/' when next == '*':
                        inBlockComment = true;
                        i++;
                        break;
                    case '"' or '\'' or '`':
                        quote = c;
                        break;
                    case '(':
                        sawParenthesis = true;
                        break;
                    case ')':
                        parametersDone = true;
                        break;
                    case '{' when parametersDone || !sawParenthesis:
                        depth++;
                        opened = true;
                        break;
                    case '}' when opened:
                        depth--;
                        if (depth == 0)
                        {
                            return true;
                        }

                        break;
                }
            }

            return false;
        }
    }

    /// <summary>A line of code up to <paramref name="changedIndex"/> indented no deeper than the def ends its body.</summary>
    static bool PythonBodyEndsBefore(IReadOnlyList<string> content, int declaration, int changedIndex)
    {
        var indent = Indentation(content[declaration]);
        var inSignature = !content[declaration].TrimEnd().EndsWith(':');
        // The changed line itself counts: one indented no deeper than the def is outside its body.
        for (var i = declaration + 1; i <= changedIndex && i < content.Count; i++)
        {
            var text = content[i].Trim();
            if (inSignature)
            {
                // A signature over several lines ends at its colon.
                inSignature = !text.EndsWith(':');
                continue;
            }

            if (text.Length > 0 && !text.StartsWith('#') && Indentation(content[i]) <= indent)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Leading blanks of a line (spaces and tabs, one each).</summary>
    internal static int Indentation(string line) => line.Length - line.TrimStart(' ', '\t').Length;
}
