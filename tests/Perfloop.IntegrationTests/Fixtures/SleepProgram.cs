using Perfloop.Configuration;

namespace Perfloop.IntegrationTests.Fixtures;

/// <summary>
/// A shell program whose work is its sleeps, judged on a metric the machine's load cannot move. Its <c>sleep</c> is a
/// function that sleeps and adds the time to a total; run as the benchmark (<c>sh app.sh --metric</c>) it prints
/// <c>METRIC sleep_ms=&lt;total&gt;</c>, so every verdict of a test is exact — while the wall time of such a tiny
/// program moves ±50% when the machine is busy. The oracle runs <c>sh app.sh</c> and sees the same output as ever.
/// Candidates still edit plain <c>sleep 0.20</c> lines; values below one second only.
/// </summary>
public static class SleepProgram
{
    public const string Metric = "sleep_ms";

    public const string Bench = "sh app.sh --metric";

    /// <summary>The first lines of app.sh after <c>#!/bin/sh</c>: the counting <c>sleep</c>.</summary>
    public const string Prelude =
        "slept=0\n" +
        "sleep() { command sleep \"$1\"; ms=${1#0.}; while [ ${#ms} -lt 3 ]; do ms=\"${ms}0\"; done; slept=$((slept + 1$ms - 1000)); }\n";

    /// <summary>The last line of app.sh: the total, only for the benchmark.</summary>
    public const string Report = "if [ \"$1\" = --metric ]; then echo \"METRIC sleep_ms=$slept\"; fi\n";

    /// <summary>perfloop.json's metric: the sleeps' total, lower is better.</summary>
    public static MetricSettings Setting { get; } = new() { Name = Metric, Goal = "lower" };

    /// <summary>Makes the committed perfloop.json judge on the sleeps' total (after <c>ProjectInitializer.InitAsync</c>).</summary>
    public static void JudgeOnSleeps(TempGitRepository repo)
    {
        var config = ConfigStore.Load(repo.Root);
        ConfigStore.Save(repo.Root, config with { Metric = Setting });
    }
}
