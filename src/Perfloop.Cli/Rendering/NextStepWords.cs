using Perfloop.Experiments;
using Perfloop.Sessions;

namespace Perfloop.Cli.Rendering;

/// <summary>The engine's next steps in the CLI's words: the verbs to run.</summary>
static class NextStepWords
{
    public static string For(NextStep step) => step.Action switch
    {
        NextAction.MakeChange => "make the change in the work tree, then run 'perfloop experiment check --summary \"<one line>\"'",
        NextAction.Check => "run 'perfloop experiment check'",
        NextAction.Bench => "run 'perfloop experiment bench'",
        NextAction.GuardThenDecide => "run 'perfloop experiment guard', then 'perfloop experiment decide'",
        NextAction.Decide => "run 'perfloop experiment decide'",
        NextAction.DecideToDiscard => "run 'perfloop experiment decide' (it will discard this candidate)",
        NextAction.Rework => "rework the change so the guard passes (tests and guard files must not change), then 'perfloop experiment check' again",
        NextAction.StartNext => "review the history ('perfloop status'), then choose the next target from the bottleneck ranking and run 'perfloop experiment start'",
        NextAction.Stop => $"stop the session: {step.Detail}",
        NextAction.RecoverFromStuck => $"stuck recovery: {step.Detail}",
        _ => step.Detail,
    };

    public static StepReport Render(StepReport report) => report with { Next = For(report.NextStep) };

    public static StatusReport Render(StatusReport report) => report with { Next = For(report.NextStep) };
}
