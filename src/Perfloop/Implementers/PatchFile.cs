using System.Text;
using System.Text.RegularExpressions;

namespace Perfloop.Implementers;

/// <summary>
/// A <c>git format-patch</c> file: the Subject is the one-line summary (its <c>[PATCH …]</c> prefix
/// stripped as <c>git am</c> does) and the commit message body carries trailers such as
/// <c>Target:</c>, <c>Category:</c>, <c>Strategy:</c> and <c>Impact:</c>.
/// </summary>
public sealed partial record PatchFile(string Path, string Subject, IReadOnlyDictionary<string, string> Trailers)
{
    public string Trailer(string key) => Trailers.GetValueOrDefault(key, "");

    public CandidateInfo ToCandidate() => new(
        Subject,
        Trailer("Target") is { Length: > 0 } target ? target : Subject,
        Trailer("Category"),
        Trailer("Strategy"),
        Trailer("Impact"));

    public static PatchFile Read(string path) => Parse(path, File.ReadAllText(path));

    public static PatchFile Parse(string path, string text)
    {
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        var index = 0;

        // Mail headers, up to the first blank line; folded lines continue the previous header.
        var headers = new List<KeyValuePair<string, StringBuilder>>();
        for (; index < lines.Length && lines[index].Length > 0; index++)
        {
            var line = lines[index];
            if ((line[0] == ' ' || line[0] == '\t') && headers.Count > 0)
            {
                headers[^1].Value.Append(' ').Append(line.Trim());
            }
            else if (line.IndexOf(':', StringComparison.Ordinal) is var colon and > 0 && !line.StartsWith("From ", StringComparison.Ordinal))
            {
                headers.Add(new(line[..colon].Trim(), new StringBuilder(line[(colon + 1)..].Trim())));
            }
        }

        var subject = headers.FirstOrDefault(h => h.Key.Equals("Subject", StringComparison.OrdinalIgnoreCase)).Value?.ToString() ?? "";
        subject = StripSubjectPrefixes(subject);

        // The message body ends at the "---" line that opens the diffstat, or at the diff itself.
        var body = new List<string>();
        for (index++; index < lines.Length; index++)
        {
            var line = lines[index];
            if (line == "---" || line.StartsWith("diff --git ", StringComparison.Ordinal))
            {
                break;
            }

            body.Add(line);
        }

        if (subject.Length == 0)
        {
            subject = body.FirstOrDefault(l => l.Trim().Length > 0)?.Trim() ?? System.IO.Path.GetFileNameWithoutExtension(path);
        }

        var trailers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in body)
        {
            var match = TrailerLine().Match(line);
            if (match.Success)
            {
                trailers[match.Groups[1].Value] = match.Groups[2].Value.Trim();
            }
        }

        return new PatchFile(path, subject, trailers);
    }

    /// <summary>Removes leading bracketed tags and "Re:" as git mailinfo does.</summary>
    internal static string StripSubjectPrefixes(string subject)
    {
        var s = subject.Trim();
        while (true)
        {
            if (s.StartsWith('['))
            {
                var close = s.IndexOf(']', StringComparison.Ordinal);
                if (close < 0)
                {
                    break;
                }

                s = s[(close + 1)..].TrimStart();
            }
            else if (s.StartsWith("Re:", StringComparison.OrdinalIgnoreCase))
            {
                s = s[3..].TrimStart();
            }
            else
            {
                break;
            }
        }

        return s;
    }

    [GeneratedRegex(@"^([A-Za-z][A-Za-z0-9-]*):\s+(\S.*)$")]
    private static partial Regex TrailerLine();
}
