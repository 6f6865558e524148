using Perfloop.Errors;
using Perfloop.Experiments;

namespace Perfloop.Mcp;

/// <summary>The engine's next steps, commands and inputs in an MCP client's words: the tools to call and their arguments.</summary>
public static class McpWords
{
    /// <summary>The tool that does what a CLI verb does, when there is one.</summary>
    static readonly Dictionary<string, string> Tools = new(StringComparer.Ordinal)
    {
        ["experiment start"] = "experiment_start",
        ["experiment check"] = "experiment_check",
        ["experiment bench"] = "experiment_bench",
        ["experiment guard"] = "experiment_guard",
        ["experiment decide"] = "experiment_decide",
        ["experiment abandon"] = "experiment_abandon",
        ["status"] = "status",
        ["rank"] = "rank",
        ["compare"] = "compare",
    };

    public static string Next(NextStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        return step.Action switch
        {
            NextAction.MakeChange => "make the change in the work tree, then call experiment_check with a one-line summary",
            NextAction.Check => "call experiment_check",
            NextAction.Bench => "call experiment_bench",
            NextAction.GuardThenDecide => "call experiment_guard, then experiment_decide",
            NextAction.Decide => "call experiment_decide",
            NextAction.DecideToDiscard => "call experiment_decide (it will discard this candidate)",
            NextAction.Rework => "rework the change so the guard passes (tests and guard files must not change), then call experiment_check again",
            NextAction.StartNext => "review the history (status), then choose the next target from the bottleneck ranking and call experiment_start",
            NextAction.Stop => $"stop the session: {step.Detail}",
            NextAction.RecoverFromStuck => $"stuck recovery: {step.Detail}",
            _ => step.Detail,
        };
    }

    /// <summary>A message with the engine's marks in MCP words: tools by name, inputs as arguments.</summary>
    public static string Render(string text) => Mention.Render(
        text,
        words => Tools.TryGetValue(words.Split(" -", 2)[0].Trim(), out var tool) ? $"the {tool} tool" : $"'perfloop {words}' (CLI)",
        name => $"the '{name}' argument");
}
