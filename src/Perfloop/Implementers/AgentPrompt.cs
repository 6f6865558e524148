using System.Globalization;
using System.Text;
using Perfloop.Domains;

namespace Perfloop.Implementers;

/// <summary>What went wrong with the previous attempt, for a rework prompt.</summary>
/// <param name="Reason">The decision's reason (which guard failed and how).</param>
/// <param name="GuardOutputTail">The end of the guard's output.</param>
/// <param name="PreviousDiff">The reverted change of the previous attempt, so the agent can fix rather than restart.</param>
public sealed record ReworkContext(string Reason, string GuardOutputTail, string PreviousDiff);

/// <summary>Everything the prompt of one attempt says; built by <see cref="AgentImplementer"/>, rendered by <see cref="AgentPrompt.Render"/>.</summary>
public sealed record PromptContext
{
    public required int Experiment { get; init; }

    public required int Attempt { get; init; }

    public required int MaxReworks { get; init; }

    public required string RepositoryRoot { get; init; }

    public required AgentTarget Target { get; init; }

    public required string Strategy { get; init; }

    public required Domain Domain { get; init; }

    public required string HistoryReview { get; init; }

    public string? Learnings { get; init; }

    public IReadOnlyList<string> RecentDiscards { get; init; } = [];

    /// <summary>One line per kind of protected path (defaults, guard files, perfloop.json's protectedPaths).</summary>
    public required IReadOnlyList<string> ProtectedPaths { get; init; }

    public string? Guard { get; init; }

    public ReworkContext? Rework { get; init; }
}

/// <summary>The prompt given to an agent for one attempt of one experiment: a pure function of its context.</summary>
public static class AgentPrompt
{
    public const string SummaryPrefix = "SUMMARY: ";

    /// <summary>How much of the learnings, guard output and previous diff a prompt carries (their ends are kept).</summary>
    public const int SectionCapChars = 6000;

    public static string Render(PromptContext context)
    {
        var t = context.Target;
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# Perfloop experiment {context.Experiment}: {t.Target}");
        text.AppendLine();
        text.AppendLine("You are making one candidate change for Perfloop, a harness that measures it against the unchanged code");
        text.AppendLine("(interleaved runs, confidence intervals), proves the program's output is unchanged, runs the guard (the tests),");
        text.AppendLine("then keeps the change as a commit or throws it away. Make one focused change for the target below.");
        text.AppendLine(CultureInfo.InvariantCulture, $"The repository is {context.RepositoryRoot} (your current directory).");
        text.AppendLine();

        if (context.Rework is { } rework)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"## Rework {context.Attempt - 1} of {context.MaxReworks}: the guard failed");
            text.AppendLine();
            text.AppendLine("Your previous attempt was measured but failed the guard, and the work tree was restored to the unchanged code.");
            text.AppendLine(CultureInfo.InvariantCulture, $"Why: {rework.Reason}");
            text.AppendLine();
            text.AppendLine("The end of the guard's output:");
            AppendBlock(text, rework.GuardOutputTail, "text");
            if (rework.PreviousDiff.Length > 0)
            {
                text.AppendLine("Your previous change (reverted; apply it again with the fix, or write a better one):");
                AppendBlock(text, rework.PreviousDiff, "diff");
            }

            text.AppendLine("Fix the code so the guard passes. Do not touch the tests or the guard's files: a change to them is discarded.");
            text.AppendLine();
        }

        text.AppendLine("## Target");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"- Target: {t.Target}");
        if (t.File is { Length: > 0 } file)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- File: {file}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"- Category: {Or(t.Category, "not given")}");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Profile share: {Or(t.ProfileShare, "not profiled")}");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Estimated impact: {Or(t.EstimatedImpact, "unknown")}");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Strategy: {context.Strategy} (the {context.Domain.Name} domain's rotation: {string.Join(" → ", context.Domain.RotationOrder)})");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Goal: {(context.Domain.Goal == MetricGoal.LowerIsBetter ? "lower" : "higher")} {context.Domain.PrimaryMetric}; a change is kept only when it beats the unchanged code by more than the keep threshold ({context.Domain.KeepThresholdPct.ToString("0.##", CultureInfo.InvariantCulture)}% or the measured noise, whichever is larger)");
        text.AppendLine();

        text.AppendLine(CultureInfo.InvariantCulture, $"## Reasoning checklist ({context.Domain.Name})");
        text.AppendLine();
        text.AppendLine("Answer each question for this target before you change code:");
        for (var i = 0; i < context.Domain.Checklist.Count; i++)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{i + 1}. {context.Domain.Checklist[i]}");
        }

        text.AppendLine();
        text.AppendLine("## History review");
        text.AppendLine();
        text.AppendLine(context.HistoryReview);
        text.AppendLine();

        text.AppendLine("## Learnings");
        text.AppendLine();
        text.AppendLine(string.IsNullOrWhiteSpace(context.Learnings) ? "None recorded yet." : Tail(context.Learnings.Trim(), SectionCapChars));
        text.AppendLine();

        text.AppendLine("## Recent discard reasons");
        text.AppendLine();
        if (context.RecentDiscards.Count == 0)
        {
            text.AppendLine("None.");
        }

        foreach (var reason in context.RecentDiscards)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- {reason}");
        }

        text.AppendLine();
        text.AppendLine("## Rules");
        text.AppendLine();
        text.AppendLine("- Tests and guard files must not change. Perfloop discards, unmeasured, any change that touches a protected path:");
        foreach (var line in context.ProtectedPaths)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  - {line}");
        }

        if (!string.IsNullOrWhiteSpace(context.Guard))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- The guard is `{context.Guard}`; it must still pass after your change.");
        }

        text.AppendLine("- The program's output must stay exactly the same: Perfloop re-runs the oracle commands and discards any difference.");
        text.AppendLine("- Keep the change small and about this target; the benchmark must exercise what you change.");
        text.AppendLine("- Do not switch branches, rewrite history, or run perfloop yourself.");
        text.AppendLine();

        text.AppendLine("## What the result must look like");
        text.AppendLine();
        text.AppendLine("- Edit the files in the work tree. Do not commit: Perfloop commits the change itself when it is kept.");
        text.AppendLine(CultureInfo.InvariantCulture, $"- As the last line of your output, print a one-line summary of the change prefixed `{SummaryPrefix.TrimEnd()}`, e.g.");
        text.AppendLine(CultureInfo.InvariantCulture, $"  `{SummaryPrefix}Count words with a Dictionary instead of a linear scan`.");
        text.AppendLine("- If you commit anyway, the commit's subject is taken as the summary and Perfloop folds the commit back into the work tree.");
        text.AppendLine("- Exit with status 0 when you made a change; a non-zero status or no change ends the experiment as discarded.");
        return text.ToString();
    }

    /// <summary>The end of <paramref name="text"/>, at most <paramref name="maxChars"/> characters, starting on a line boundary.</summary>
    public static string Tail(string text, int maxChars)
    {
        if (text.Length <= maxChars)
        {
            return text;
        }

        var cut = text[^maxChars..];
        var newline = cut.IndexOf('\n', StringComparison.Ordinal);
        return "[…]\n" + (newline >= 0 ? cut[(newline + 1)..] : cut);
    }

    static void AppendBlock(StringBuilder text, string content, string language)
    {
        var body = Tail(content.TrimEnd(), SectionCapChars);
        // A fence longer than any backtick run inside keeps the block closed whatever the output holds.
        var fence = new string('`', Math.Max(3, LongestBacktickRun(body) + 1));
        text.AppendLine(fence + language);
        text.AppendLine(body.Length == 0 ? "(no output)" : body);
        text.AppendLine(fence);
        text.AppendLine();
    }

    static int LongestBacktickRun(string text)
    {
        int longest = 0, run = 0;
        foreach (var c in text)
        {
            run = c == '`' ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }

        return longest;
    }

    static string Or(string value, string fallback) => string.IsNullOrWhiteSpace(value) ? fallback : value;
}
