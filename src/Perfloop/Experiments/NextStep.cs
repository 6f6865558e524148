namespace Perfloop.Experiments;

/// <summary>What the spec says to do next, as a value: each front end renders it in its own words (CLI verbs, MCP tools).</summary>
public enum NextAction
{
    /// <summary>Make the change in the work tree, then check it.</summary>
    MakeChange,

    Check,

    Bench,

    /// <summary>Run the guard, then decide.</summary>
    GuardThenDecide,

    Decide,

    /// <summary>Decide: the check already found why the candidate will be discarded.</summary>
    DecideToDiscard,

    /// <summary>Rework the change so the guard passes (tests and guard files unchanged), then check again.</summary>
    Rework,

    /// <summary>Review the history, choose the next target, start the next experiment.</summary>
    StartNext,

    /// <summary>Stop the session: <see cref="NextStep.Detail"/> says why.</summary>
    Stop,

    /// <summary>Follow the stuck-recovery actions in <see cref="NextStep.Detail"/>.</summary>
    RecoverFromStuck,

    /// <summary>Switch to the strategy <see cref="NextStep.Detail"/> names.</summary>
    SwitchStrategy,

    /// <summary>Check whether the top candidates are non-optimizable (<see cref="NextStep.Detail"/>).</summary>
    CheckPlateau,
}

/// <summary>The next step and, where it needs one, its detail in words (why to stop, which strategy, which actions).</summary>
public sealed record NextStep(NextAction Action, string Detail = "");
