using System.Globalization;
using System.Text.RegularExpressions;
using Perfloop.Git;
using Perfloop.Processes;

namespace Perfloop.Implementers;

/// <summary>
/// A <c>git format-patch</c> file, read the way <c>git am</c> reads it: <c>git mailinfo</c> decodes the mail
/// (encoded and folded headers, <c>[PATCH …]</c> prefixes, the body's charset), so the Subject is the one-line
/// summary, From and Date are the author, and the message body carries trailers such as <c>Target:</c>,
/// <c>Category:</c>, <c>Strategy:</c> and <c>Impact:</c>. A plain diff without mail headers works too: its
/// summary is its file name.
/// </summary>
public sealed partial record PatchFile(string Path, string Subject, IReadOnlyDictionary<string, string> Trailers)
{
    /// <summary>The patch's author (From and Date), null for a plain diff.</summary>
    public Git.CommitAuthor? Author { get; init; }

    /// <summary>The commit message below the subject, decoded, trailers included; empty for a plain diff.</summary>
    public string Body { get; init; } = "";

    public string Trailer(string key) => Trailers.GetValueOrDefault(key, "");

    public CandidateInfo ToCandidate() => new(
        Subject,
        Trailer("Target") is { Length: > 0 } target ? target : Subject,
        Trailer("Category"),
        Trailer("Strategy"),
        Trailer("Impact"))
    {
        Author = Author,
        Body = Body,
    };

    /// <summary>Reads <paramref name="path"/> through <c>git mailinfo</c>.</summary>
    public static async Task<PatchFile> ReadAsync(string path, IProcessRunner runner, CancellationToken cancellationToken = default)
    {
        var fullPath = System.IO.Path.GetFullPath(path);
        var text = await File.ReadAllTextAsync(fullPath, cancellationToken);
        // mailinfo writes the message body and the patch into files of its own; only the body is used (the patch
        // is applied from the original file, so bytes that are not UTF-8 reach git apply untouched).
        var scratch = Directory.CreateTempSubdirectory("perfloop-mailinfo-");
        try
        {
            var body = System.IO.Path.Combine(scratch.FullName, "msg");
            var git = new GitCli(runner, System.IO.Path.GetDirectoryName(fullPath)!);
            var result = await git.TryRunWithInputAsync(["mailinfo", body, System.IO.Path.Combine(scratch.FullName, "patch")], text, cancellationToken);
            // A file mailinfo refuses (an empty one) is still a candidate: named by its file, it ends as a row when it does not apply.
            return result.Succeeded
                ? FromMailInfo(path, result.StdoutText, File.Exists(body) ? await File.ReadAllTextAsync(body, cancellationToken) : "")
                : FromMailInfo(path, "", "");
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Builds the patch from what <c>git mailinfo</c> printed (<c>Author:</c>, <c>Email:</c>, <c>Subject:</c>,
    /// <c>Date:</c> lines, already decoded and unfolded) and the message body it wrote.
    /// </summary>
    public static PatchFile FromMailInfo(string path, string info, string body)
    {
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in info.ReplaceLineEndings("\n").Split('\n'))
        {
            if (line.Length == 0)
            {
                break;
            }

            var colon = line.IndexOf(": ", StringComparison.Ordinal);
            if (colon > 0)
            {
                fields.TryAdd(line[..colon], line[(colon + 2)..].Trim());
            }
        }

        var message = body.ReplaceLineEndings("\n").TrimEnd();
        var subject = fields.GetValueOrDefault("Subject", "");
        if (subject.Length == 0)
        {
            subject = message.Split('\n').FirstOrDefault(l => l.Trim().Length > 0)?.Trim() ?? "";
        }

        if (subject.Length == 0)
        {
            subject = System.IO.Path.GetFileNameWithoutExtension(path);
        }

        var trailers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in message.Split('\n'))
        {
            var match = TrailerLine().Match(line);
            if (match.Success)
            {
                trailers[match.Groups[1].Value] = match.Groups[2].Value.Trim();
            }
        }

        return new PatchFile(path, subject, trailers)
        {
            Author = AuthorOf(fields),
            Body = message,
        };
    }

    /// <summary>The author as git am would take it; null without an email (a plain diff), so the KEEP is authored locally.</summary>
    static Git.CommitAuthor? AuthorOf(Dictionary<string, string> fields)
    {
        var email = fields.GetValueOrDefault("Email", "");
        if (email.Length == 0)
        {
            return null;
        }

        var name = fields.GetValueOrDefault("Author", "") is { Length: > 0 } author ? author : email;
        return new Git.CommitAuthor(name, email, MailDate(fields.GetValueOrDefault("Date", "")));
    }

    /// <summary>
    /// An RFC 2822 date as format-patch writes it ("Thu, 2 Jan 2020 03:04:05 +0130", possibly followed by a zone
    /// name in parentheses); null when it is not one, and the KEEP then gets the current date rather than failing.
    /// </summary>
    internal static DateTimeOffset? MailDate(string text)
    {
        var date = ZoneComment().Replace(text, "").Trim();
        return date.Length > 0 && DateTimeOffset.TryParse(date, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces | DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed
            : null;
    }

    [GeneratedRegex(@"^([A-Za-z][A-Za-z0-9-]*):\s+(\S.*)$")]
    private static partial Regex TrailerLine();

    [GeneratedRegex(@"\s*\([^()]*\)\s*$")]
    private static partial Regex ZoneComment();
}
