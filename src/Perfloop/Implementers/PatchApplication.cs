using System.Globalization;
using System.Text.RegularExpressions;
using Perfloop.Git;

namespace Perfloop.Implementers;

/// <summary>How a patch got into the work tree.</summary>
public enum PatchApplyMethod
{
    /// <summary>Every hunk fit HEAD as it is (<c>git apply</c>).</summary>
    Plain,

    /// <summary>The hunks did not fit, but a 3-way merge from the patch's own base blobs did (<c>git apply --3way</c>).</summary>
    ThreeWay,
}

/// <summary>
/// Applies a candidate patch the way <c>git am -3</c> does: a plain apply first, then a 3-way merge, so a queue of
/// patches made against one base still applies after an earlier one was kept. When neither works the work tree is
/// as it was, and <see cref="Problem"/> says which hunk failed where and why the 3-way merge could not help.
/// </summary>
public sealed partial record PatchApplication(PatchApplyMethod? Method, string? Problem)
{
    public static async Task<PatchApplication> ApplyAsync(GitRepository repository, string patchFile, string patchText, CancellationToken cancellationToken)
    {
        var plain = await repository.ApplyPatchAsync(patchFile, cancellationToken);
        if (plain.Applied)
        {
            return new PatchApplication(PatchApplyMethod.Plain, null);
        }

        var threeWay = await repository.ApplyPatchThreeWayAsync(patchFile, cancellationToken);
        return threeWay.Applied
            ? new PatchApplication(PatchApplyMethod.ThreeWay, null)
            : new PatchApplication(null, Explain(patchText, plain.Messages, threeWay.Messages));
    }

    /// <summary>The detail line for an applied patch.</summary>
    public string? Detail => Method switch
    {
        PatchApplyMethod.Plain => "patch applied as it is (git apply)",
        PatchApplyMethod.ThreeWay => "patch applied with a 3-way merge (git apply --3way): its hunks did not fit HEAD as they are, the merge from its base blobs was clean",
        _ => null,
    };

    /// <summary>
    /// Why a patch does not apply, from git's messages: the failed hunk (file, line, and its <c>@@</c> header from the
    /// patch) or git's own first error, then what the 3-way merge found (conflicts in which files, or no base blobs).
    /// </summary>
    public static string Explain(string patchText, string plainMessages, string threeWayMessages)
    {
        var plain = PlainFailure(patchText, plainMessages);
        var threeWay = ThreeWayFailure(threeWayMessages, plainMessages);
        return threeWay is null ? plain : $"{plain}; {threeWay}";
    }

    static string PlainFailure(string patchText, string messages)
    {
        foreach (var line in Lines(messages))
        {
            if (PatchFailed().Match(line) is { Success: true } failed)
            {
                var file = failed.Groups[1].Value;
                var at = int.Parse(failed.Groups[2].Value, CultureInfo.InvariantCulture);
                var header = HunkHeader(patchText, file, at);
                return header is null
                    ? $"{file}: the hunk at line {at} does not match the file"
                    : $"{file}: hunk {Shorten(header)} (line {at}) does not match the file";
            }
        }

        return FirstError(messages) ?? "git apply failed without a message";
    }

    static string? ThreeWayFailure(string messages, string plainMessages)
    {
        var lines = Lines(messages).ToList();
        if (lines.Any(l => l.Contains("with conflicts", StringComparison.Ordinal)))
        {
            var files = lines.Where(l => l.StartsWith("U ", StringComparison.Ordinal)).Select(l => l[2..]).ToList();
            return $"a 3-way merge conflicts in {(files.Count > 0 ? string.Join(", ", files) : "the patched files")}";
        }

        if (lines.Any(l => l.Contains("lacks the necessary blob", StringComparison.Ordinal)))
        {
            return "no 3-way merge: the blobs on its index lines are not in this repository (it was made on a commit the repository does not have)";
        }

        var error = FirstError(messages);
        return error is null || error == FirstError(plainMessages) ? null : $"3-way merge: {error}";
    }

    /// <summary>The <c>@@</c> line of the hunk of <paramref name="file"/> that starts at old line <paramref name="oldStart"/>.</summary>
    internal static string? HunkHeader(string patchText, string file, int oldStart)
    {
        var lines = patchText.ReplaceLineEndings("\n").Split('\n');
        var files = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (DiffGit().Match(line) is { Success: true } diff)
            {
                files = [diff.Groups[1].Value, diff.Groups[2].Value];
            }
            else if (FileLine().Match(line) is { Success: true } name)
            {
                files.Add(StripPrefix(name.Groups[1].Value.Split('\t')[0]));
            }
            else if (Hunk().Match(line) is { Success: true } hunk)
            {
                if (files.Contains(file) && int.Parse(hunk.Groups[1].Value, CultureInfo.InvariantCulture) == oldStart)
                {
                    return line;
                }

                // Skip the hunk's body by its counts, so a removed line such as "-- x" is never read as a file line.
                var oldLeft = hunk.Groups[2].Success ? int.Parse(hunk.Groups[2].Value, CultureInfo.InvariantCulture) : 1;
                var newLeft = hunk.Groups[3].Success ? int.Parse(hunk.Groups[3].Value, CultureInfo.InvariantCulture) : 1;
                while ((oldLeft > 0 || newLeft > 0) && i + 1 < lines.Length)
                {
                    var body = lines[++i];
                    if (body.StartsWith('\\'))
                    {
                        continue;
                    }

                    oldLeft -= body.StartsWith('+') ? 0 : 1;
                    newLeft -= body.StartsWith('-') ? 0 : 1;
                }
            }
        }

        return null;
    }

    static string? FirstError(string messages) =>
        Lines(messages).Where(l => l.StartsWith("error: ", StringComparison.Ordinal)).Select(l => l["error: ".Length..]).FirstOrDefault();

    static IEnumerable<string> Lines(string text) =>
        text.ReplaceLineEndings("\n").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0);

    static string Shorten(string header) => header.Length <= 100 ? header : header[..97] + "...";

    static string StripPrefix(string path) =>
        path.Length > 2 && (path.StartsWith("a/", StringComparison.Ordinal) || path.StartsWith("b/", StringComparison.Ordinal)) ? path[2..] : path;

    [GeneratedRegex(@"^error: patch failed: (.+):(\d+)$")]
    private static partial Regex PatchFailed();

    [GeneratedRegex(@"^diff --git a/(.+?) b/(.+)$")]
    private static partial Regex DiffGit();

    [GeneratedRegex(@"^(?:---|\+\+\+) (.+)$")]
    private static partial Regex FileLine();

    [GeneratedRegex(@"^@@ -(\d+)(?:,(\d+))? \+\d+(?:,(\d+))? @@")]
    private static partial Regex Hunk();
}
