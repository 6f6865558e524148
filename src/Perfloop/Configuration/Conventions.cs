using System.Text;

namespace Perfloop.Configuration;

/// <summary>
/// <c>.perfloop/conventions.md</c>: human-editable notes for the session. The loop reads the guard command
/// from its <c>## Guard</c> section (the first fenced code block, or else the first non-empty line).
/// </summary>
public static class Conventions
{
    public const string GuardHeading = "## Guard";

    public static string PathIn(string repositoryRoot) => Path.Combine(PerfloopPaths.StateDirectory(repositoryRoot), "conventions.md");

    public static string Render(string? guardCommand, string domain, string? effectiveThreshold = null)
    {
        var text = new StringBuilder();
        text.AppendLine("# Perfloop conventions");
        text.AppendLine();
        text.AppendLine("Notes the loop and its implementers follow in this repository. Edit freely; keep the headings.");
        text.AppendLine();
        text.AppendLine(GuardHeading);
        text.AppendLine();
        text.AppendLine(GuardSection(guardCommand));
        text.AppendLine();
        text.AppendLine("## Domain");
        text.AppendLine();
        text.AppendLine(domain);
        if (effectiveThreshold is not null)
        {
            text.AppendLine();
            text.AppendLine(EffectiveThresholdHeading);
            text.AppendLine();
            text.AppendLine(effectiveThreshold);
        }

        return text.ToString();
    }

    /// <summary>The guard command, or null when the section is missing or empty.</summary>
    public static string? ReadGuard(string conventionsMarkdown)
    {
        var lines = conventionsMarkdown.ReplaceLineEndings("\n").Split('\n');
        var start = Array.FindIndex(lines, l => l.Trim().Equals(GuardHeading, StringComparison.OrdinalIgnoreCase));
        if (start < 0)
        {
            return null;
        }

        var section = lines.Skip(start + 1).TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal)).ToList();
        var fence = section.FindIndex(l => l.TrimStart().StartsWith("```", StringComparison.Ordinal));
        if (fence >= 0)
        {
            var body = section.Skip(fence + 1).TakeWhile(l => !l.TrimStart().StartsWith("```", StringComparison.Ordinal));
            var command = string.Join("\n", body).Trim();
            return command.Length == 0 ? null : command;
        }

        // Without a code block, the first line of prose-free text is taken as the command.
        var first = section.Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0);
        return first;
    }

    /// <summary>
    /// The same notes with <paramref name="heading"/>'s section body replaced by <paramref name="body"/> (the section is
    /// appended when missing); every other line the user wrote is kept.
    /// </summary>
    public static string WithSection(string markdown, string heading, string body)
    {
        var lines = markdown.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n').ToList();
        var start = lines.FindIndex(l => l.Trim().Equals(heading, StringComparison.OrdinalIgnoreCase));
        List<string> section = [heading, "", .. body.TrimEnd('\n').Split('\n'), ""];
        if (start < 0)
        {
            return string.Join('\n', lines) + "\n\n" + string.Join('\n', section);
        }

        var end = start + 1;
        while (end < lines.Count && !lines[end].StartsWith("## ", StringComparison.Ordinal))
        {
            end++;
        }

        lines.RemoveRange(start, end - start);
        lines.InsertRange(start, section);
        return string.Join('\n', lines).TrimEnd('\n') + "\n";
    }

    /// <summary>The body of the <c>## Guard</c> section for <paramref name="guardCommand"/> (null: no guard).</summary>
    public static string GuardSection(string? guardCommand) =>
        "The command that must pass after every benchmarked candidate (spec step 10), from perfloop.json's \"guard\" (edit it there).\n\n```sh\n"
        + (string.IsNullOrWhiteSpace(guardCommand) ? "" : guardCommand.Trim() + "\n") + "```";

    /// <summary>Makes the <c>## Guard</c> section of conventions.md show <paramref name="guardCommand"/>, creating the file when needed.</summary>
    public static void WriteGuard(string repositoryRoot, string? guardCommand, string domain)
    {
        var path = PathIn(repositoryRoot);
        var text = File.Exists(path) ? WithSection(File.ReadAllText(path), GuardHeading, GuardSection(guardCommand)) : Render(guardCommand, domain);
        Storage.AtomicFile.WriteAllText(path, text);
    }

    /// <summary>Records the session's effective threshold in conventions.md, keeping everything else in it.</summary>
    public static void WriteEffectiveThreshold(string repositoryRoot, string? guardCommand, string domain, string effectiveThreshold)
    {
        var path = PathIn(repositoryRoot);
        var text = File.Exists(path) ? File.ReadAllText(path) : Render(guardCommand, domain);
        Storage.AtomicFile.WriteAllText(path, WithSection(text, EffectiveThresholdHeading, effectiveThreshold));
    }

    public const string EffectiveThresholdHeading = "## Effective threshold";

    public static string? LoadGuard(string repositoryRoot)
    {
        var path = PathIn(repositoryRoot);
        return File.Exists(path) ? ReadGuard(File.ReadAllText(path)) : null;
    }
}
