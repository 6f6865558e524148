using System.Text.RegularExpressions;

namespace Perfloop.Implementers.Knobs;

/// <summary>
/// Reads and sets knobs in an MSBuild project file as text, so an edit is one inserted or changed line and the rest of
/// the file (comments, blank lines, indentation, line endings) is byte-for-byte what it was. An XML DOM round trip
/// would reformat attributes and whitespace and turn a one-line candidate into a noisy diff.
/// </summary>
public static partial class ProjectFileEditor
{
    /// <summary>The knob's value as the file sets it (the last unconditional-or-not occurrence wins, as in MSBuild), or null.</summary>
    public static string? Read(string text, RuntimeKnob knob)
    {
        ArgumentNullException.ThrowIfNull(knob);
        var match = Find(text, knob);
        return match is null ? null : match.Groups["value"].Value.Trim();
    }

    /// <summary>The file's text with the knob set to <paramref name="value"/>: the existing element changed, or one line added.</summary>
    public static string Set(string text, RuntimeKnob knob, string value)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(knob);
        var newline = text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        if (Find(text, knob) is { } existing)
        {
            var group = existing.Groups["value"];
            return string.Concat(text.AsSpan(0, group.Index), value, text.AsSpan(group.Index + group.Length));
        }

        var element = knob.Form == KnobForm.Property
            ? $"<{knob.Name}>{value}</{knob.Name}>"
            : $"<RuntimeHostConfigurationOption Include=\"{knob.Name}\" Value=\"{value}\" />";
        var groupName = knob.Form == KnobForm.Property ? "PropertyGroup" : "ItemGroup";

        // Into the first unconditional group of the right kind, before its closing tag, indented like its children.
        var group2 = new Regex($@"<{groupName}\s*>(?<body>.*?)(?<close>[ \t]*)</{groupName}>", RegexOptions.Singleline).Match(text);
        if (group2.Success)
        {
            var close = group2.Groups["close"];
            var childIndent = ChildIndent(group2.Groups["body"].Value, close.Value);
            var insertAt = close.Index;
            return text[..insertAt] + childIndent + element + newline + text[insertAt..];
        }

        // No such group: a new one before </Project>.
        var end = text.LastIndexOf("</Project>", StringComparison.Ordinal);
        if (end < 0)
        {
            throw new FormatException("no </Project> element");
        }

        var lineStart = text.LastIndexOf('\n', Math.Max(end - 1, 0)) + 1;
        var onOwnLine = string.IsNullOrWhiteSpace(text[lineStart..end]);
        var insertion = $"{(onOwnLine ? "" : newline)}  <{groupName}>{newline}    {element}{newline}  </{groupName}>{newline}{newline}";
        var at = onOwnLine ? lineStart : end;
        return string.Concat(text.AsSpan(0, at), insertion, text.AsSpan(at));
    }

    static Match? Find(string text, RuntimeKnob knob)
    {
        var pattern = knob.Form == KnobForm.Property
            ? $@"<{Regex.Escape(knob.Name)}(\s[^>]*)?>(?<value>[^<]*)</{Regex.Escape(knob.Name)}>"
            : $@"<RuntimeHostConfigurationOption\s+Include=""{Regex.Escape(knob.Name)}""\s+Value=""(?<value>[^""]*)""";
        var matches = new Regex(pattern).Matches(WithoutComments(text));
        return matches.Count == 0 ? null : matches[^1];
    }

    // Comments are blanked (same length, so indices still match the original text) so a commented-out knob is not read.
    static string WithoutComments(string text) => CommentPattern().Replace(text, m => new string(' ', m.Length));

    static string ChildIndent(string body, string closingIndent)
    {
        foreach (var line in body.Split('\n'))
        {
            var trimmed = line.TrimStart(' ', '\t');
            if (trimmed.StartsWith('<'))
            {
                return line[..(line.Length - trimmed.Length)];
            }
        }

        return closingIndent + "  ";
    }

    [GeneratedRegex("<!--.*?-->", RegexOptions.Singleline)]
    private static partial Regex CommentPattern();
}
