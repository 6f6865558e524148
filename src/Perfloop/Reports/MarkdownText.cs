using System.Text;

namespace Perfloop.Reports;

/// <summary>Makes arbitrary text (commit subjects, commands, reasons) safe inside GitHub-flavoured markdown and its tables.</summary>
public static class MarkdownText
{
    /// <summary>A code span that survives backticks, pipes (table cells) and newlines in the text.</summary>
    public static string Code(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var flat = text.ReplaceLineEndings(" ").Replace("|", "\\|", StringComparison.Ordinal);
        var fence = new string('`', LongestRun(flat, '`') + 1);
        var pad = flat.StartsWith('`') || flat.EndsWith('`') ? " " : "";
        return $"{fence}{pad}{flat}{pad}{fence}";
    }

    /// <summary>Plain text made inert: no emphasis, links, headings, HTML or table breaks; one line.</summary>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new StringBuilder(text.Length);
        foreach (var c in text.ReplaceLineEndings(" "))
        {
            switch (c)
            {
                case '<':
                    builder.Append("&lt;");
                    break;
                case '>':
                    builder.Append("&gt;");
                    break;
                case '&':
                    builder.Append("&amp;");
                    break;
                case '\\' or '`' or '*' or '_' or '[' or ']' or '|' or '#' or '!' or '~':
                    builder.Append('\\').Append(c);
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }

        return builder.ToString();
    }

    static int LongestRun(string text, char c)
    {
        int longest = 0, current = 0;
        foreach (var ch in text)
        {
            current = ch == c ? current + 1 : 0;
            longest = Math.Max(longest, current);
        }

        return longest;
    }
}
