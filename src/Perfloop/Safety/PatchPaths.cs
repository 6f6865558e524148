using System.Text.RegularExpressions;

namespace Perfloop.Safety;

/// <summary>
/// Reads the file names a patch would touch from its headers, before <c>git apply</c> sees it, and refuses a
/// patch that reaches outside the repository: absolute paths, <c>..</c> segments, paths through a symlink
/// that leads out, and new symlinks (their target is outside Perfloop's control).
/// </summary>
public static partial class PatchPaths
{
    /// <summary>Every path named by the patch's headers (diff --git, ---/+++, rename/copy from/to).</summary>
    public static IReadOnlyList<string> Named(string patchText)
    {
        var paths = new List<string>();
        var lines = patchText.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (HunkHeader().Match(line) is { Success: true } hunk)
            {
                // Skip the hunk's body by its counts, so a removed line such as "-- see ../x" is never read as a header.
                var oldLeft = hunk.Groups[1].Success ? int.Parse(hunk.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 1;
                var newLeft = hunk.Groups[2].Success ? int.Parse(hunk.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) : 1;
                while ((oldLeft > 0 || newLeft > 0) && i + 1 < lines.Length)
                {
                    var body = lines[++i];
                    if (body.StartsWith('-'))
                    {
                        oldLeft--;
                    }
                    else if (body.StartsWith('+'))
                    {
                        newLeft--;
                    }
                    else if (body.StartsWith('\\'))
                    {
                        continue;
                    }
                    else
                    {
                        oldLeft--;
                        newLeft--;
                    }
                }
            }
            else if (DiffGitLine().Match(line) is { Success: true } diff)
            {
                paths.Add(Unquote(diff.Groups[1].Value));
                paths.Add(Unquote(diff.Groups[2].Value));
            }
            else if (FileLine().Match(line) is { Success: true } file)
            {
                var path = Unquote(file.Groups[1].Value.Split('\t')[0]);
                if (path != "/dev/null")
                {
                    paths.Add(StripPrefix(path));
                }
            }
            else if (RenameLine().Match(line) is { Success: true } rename)
            {
                paths.Add(Unquote(rename.Groups[1].Value));
            }
        }

        return paths.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>Why the patch must not be applied to the repository at <paramref name="repositoryRoot"/>, or null.</summary>
    public static string? Problem(string patchText, string repositoryRoot)
    {
        foreach (var raw in patchText.Split('\n'))
        {
            if (SymlinkMode().Match(raw.TrimEnd('\r')) is { Success: true })
            {
                var named = Named(patchText);
                return $"patch creates a symbolic link{(named.Count > 0 ? $" ({named[^1]})" : "")}; symlinks are refused because they can point outside the repository";
            }
        }

        foreach (var path in Named(patchText))
        {
            if (Escape(path, repositoryRoot) is { } why)
            {
                return $"patch reaches outside the repository: {path} ({why})";
            }

            // .perfloop/ is ignored by git, so a change there would never show in the candidate's diff nor be restored:
            // the guard in conventions.md could be rewritten unseen. It is refused before git apply writes anything.
            if (path.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries).SkipWhile(s => s == ".").FirstOrDefault() is { } first
                && first.Equals(Configuration.PerfloopPaths.StateDirectoryName, StringComparison.Ordinal))
            {
                return $"patch touches Perfloop's own state: {path} (.perfloop/ holds the guard and the journal; a candidate may never change it)";
            }
        }

        return null;
    }

    /// <summary>Why <paramref name="relativePath"/> would lead outside the repository, or null when it stays inside.</summary>
    public static string? Escape(string relativePath, string repositoryRoot)
    {
        var path = relativePath.Replace('\\', '/');
        if (path.StartsWith('/') || Path.IsPathRooted(relativePath) || (path.Length > 1 && path[1] == ':'))
        {
            return "absolute path";
        }

        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Any(s => s == ".."))
        {
            return "'..' segment";
        }

        if (segments.Any(s => s.Equals(".git", StringComparison.OrdinalIgnoreCase)))
        {
            return "inside .git";
        }

        var root = Path.GetFullPath(repositoryRoot);
        var current = root;
        foreach (var segment in segments)
        {
            current = Path.Combine(current, segment);
            var info = new FileInfo(current);
            if (info.LinkTarget is { } target)
            {
                var resolved = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(current)!, target));
                if (!IsInside(resolved, root))
                {
                    return $"{Path.GetRelativePath(root, current)} is a symlink to {target}";
                }
            }
        }

        return null;
    }

    /// <summary>The first of <paramref name="paths"/> (relative to the root) that is a symlink leading outside, with why.</summary>
    public static (string Path, string Reason)? FirstSymlinkOut(IEnumerable<string> paths, string repositoryRoot)
    {
        var root = Path.GetFullPath(repositoryRoot);
        foreach (var path in paths)
        {
            var full = Path.Combine(root, Git.GitPaths.Display(path));
            if (LinkTarget(root, path) is { } target)
            {
                var resolved = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(full)!, target));
                if (!IsInside(resolved, root))
                {
                    return (path, $"a symlink to {target}, outside the repository");
                }
            }
        }

        return null;
    }

    /// <summary>The target of <paramref name="path"/> when it is a symlink; a name that is not UTF-8 is read through its raw bytes.</summary>
    static string? LinkTarget(string root, string path)
    {
        if (!Git.GitPaths.IsQuoted(path) || !OperatingSystem.IsLinux())
        {
            return new FileInfo(Path.Combine(root, path)).LinkTarget;
        }

        byte[] full = [.. System.Text.Encoding.UTF8.GetBytes(root.TrimEnd('/') + "/"), .. Git.GitPaths.ToBytes(path)];
        return Processes.LinuxNative.ReadLink(full);
    }

    static bool IsInside(string fullPath, string root) =>
        fullPath == root || fullPath.StartsWith(root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    static string StripPrefix(string path) =>
        path.Length > 2 && (path.StartsWith("a/", StringComparison.Ordinal) || path.StartsWith("b/", StringComparison.Ordinal)) ? path[2..] : path;

    /// <summary>git quotes names with unusual characters as C strings; only the quotes matter for the path check.</summary>
    static string Unquote(string path) =>
        path.Length >= 2 && path[0] == '"' && path[^1] == '"' ? Regex.Unescape(path[1..^1]) : path;

    [GeneratedRegex(@"^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@")]
    private static partial Regex HunkHeader();

    [GeneratedRegex(@"^diff --git ""?a/(.+?)""? ""?b/(.+?)""?$")]
    private static partial Regex DiffGitLine();

    [GeneratedRegex(@"^(?:---|\+\+\+) (.+)$")]
    private static partial Regex FileLine();

    [GeneratedRegex(@"^(?:rename|copy) (?:from|to) (.+)$")]
    private static partial Regex RenameLine();

    [GeneratedRegex(@"^(?:new file mode|new mode|old mode) 120000$")]
    private static partial Regex SymlinkMode();
}
