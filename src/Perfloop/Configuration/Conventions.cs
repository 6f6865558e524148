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
        text.AppendLine("The command that must pass after every benchmarked candidate (spec step 10). Leave the block empty for no guard.");
        text.AppendLine();
        text.AppendLine("```sh");
        if (!string.IsNullOrWhiteSpace(guardCommand))
        {
            text.AppendLine(guardCommand.Trim());
        }

        text.AppendLine("```");
        text.AppendLine();
        text.AppendLine("## Domain");
        text.AppendLine();
        text.AppendLine(domain);
        if (effectiveThreshold is not null)
        {
            text.AppendLine();
            text.AppendLine("## Effective threshold");
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

    public static string? LoadGuard(string repositoryRoot)
    {
        var path = PathIn(repositoryRoot);
        return File.Exists(path) ? ReadGuard(File.ReadAllText(path)) : null;
    }
}
