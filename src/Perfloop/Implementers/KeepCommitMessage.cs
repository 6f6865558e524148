using System.Text.RegularExpressions;

namespace Perfloop.Implementers;

/// <summary>
/// The message of a KEEP commit, as <c>git am</c> would write the candidate's own message with Perfloop's lines
/// added: the subject, the candidate's body, Perfloop's measured line, and one trailer block at the end (the
/// body's own trailers, then the candidate's Target/Category/Strategy where the body lacks them, then
/// Perfloop's), so <c>git log --format=%(trailers)</c> and the history review read them all.
/// </summary>
public static partial class KeepCommitMessage
{
    public static string Compose(
        string subject,
        string body,
        string measured,
        IReadOnlyList<(string Key, string Value)> candidateTrailers,
        IReadOnlyList<(string Key, string Value)> perfloopTrailers)
    {
        var (text, trailers) = SplitTrailerBlock(body);
        var lines = new List<string> { subject, "" };
        if (text.Length > 0)
        {
            lines.Add(text);
            lines.Add("");
        }

        lines.Add(measured);
        lines.Add("");
        lines.AddRange(trailers);
        var present = trailers.Select(t => TrailerLine().Match(t)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.OrdinalIgnoreCase);
        lines.AddRange(candidateTrailers.Where(t => t.Value.Length > 0 && !present.Contains(t.Key)).Select(t => $"{t.Key}: {t.Value}"));
        lines.AddRange(perfloopTrailers.Select(t => $"{t.Key}: {t.Value}"));
        return string.Join('\n', lines) + "\n";
    }

    /// <summary>
    /// Splits a message body into its text and its final trailer block (the last paragraph, when every line of it
    /// is a <c>Key: value</c> trailer or the indented continuation of one).
    /// </summary>
    public static (string Text, IReadOnlyList<string> Trailers) SplitTrailerBlock(string body)
    {
        var lines = body.ReplaceLineEndings("\n").TrimEnd().Split('\n').Select(l => l.TrimEnd()).ToList();
        var start = lines.FindLastIndex(l => l.Length == 0) + 1;
        var block = lines.Skip(start).ToList();
        var isTrailers = block.Count > 0
            && TrailerLine().IsMatch(block[0])
            && block.All(l => TrailerLine().IsMatch(l) || (l.Length > 0 && char.IsWhiteSpace(l[0])));
        if (!isTrailers)
        {
            return (string.Join('\n', lines).Trim('\n'), []);
        }

        return (string.Join('\n', lines.Take(start)).Trim('\n'), block);
    }

    [GeneratedRegex(@"^([A-Za-z0-9][A-Za-z0-9-]*):\s*\S")]
    private static partial Regex TrailerLine();
}
