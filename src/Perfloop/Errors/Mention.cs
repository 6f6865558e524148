using System.Text.RegularExpressions;

namespace Perfloop.Errors;

/// <summary>
/// How the engine names something the user does in a front end — a command to run, an input to give — without knowing
/// whether that front end is the CLI (<c>'perfloop experiment abandon'</c>, <c>--runs</c>) or an MCP client
/// (the <c>experiment_abandon</c> tool, the <c>runs</c> argument). Messages carry neutral marks; each front end renders
/// them in its own words with <see cref="Render"/>. Files people read (HANDOFF.md) are rendered with the CLI's words.
/// </summary>
public static partial class Mention
{
    const char Open = '\u27E6';
    const char Close = '\u27E7';

    /// <summary>A Perfloop command, by its words: "experiment abandon", "profile -- &lt;bench command&gt;", "rank --profile FILE".</summary>
    public static string Command(string words) => $"{Open}cmd:{words}{Close}";

    /// <summary>An input of the current command, by its neutral name: "runs", "candidates", "allow-dirty".</summary>
    public static string Input(string name) => $"{Open}in:{name}{Close}";

    /// <summary>Replaces every mark in <paramref name="text"/> using the front end's words.</summary>
    public static string Render(string text, Func<string, string> command, Func<string, string> input)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(input);
        return Mark().Replace(text, m => m.Groups[1].Value == "cmd" ? command(m.Groups[2].Value) : input(m.Groups[2].Value));
    }

    /// <summary>The CLI's words: <c>'perfloop experiment abandon'</c> and <c>--runs</c>.</summary>
    public static string ForCommandLine(string text) => Render(text, words => $"'perfloop {words}'", name => "--" + name);

    [GeneratedRegex("\u27E6(cmd|in):([^\u27E7]*)\u27E7")]
    private static partial Regex Mark();
}
