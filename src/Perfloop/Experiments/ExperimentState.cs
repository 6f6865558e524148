using System.Text.Json;
using Perfloop.Configuration;
using Perfloop.Errors;
using Perfloop.Journal;
using Perfloop.Micro;
using Perfloop.Statistics;
using Perfloop.Storage;

namespace Perfloop.Experiments;

/// <summary>Where an experiment stands. Written to the journal before each step acts, so a crash can be undone.</summary>
public enum ExperimentPhase
{
    Started,
    Implementing,
    Implemented,
    Checked,
    Benchmarked,
    Guarded,
    Deciding,
}

/// <summary>Who drives the experiment: the autonomous loop (one process) or outside step verbs (one process per step).</summary>
public enum ExperimentDriver
{
    Loop,
    Steps,
}

/// <summary>An early end decided before measuring (patch does not apply, protected path, build failure, wrong output).</summary>
public sealed record EarlyOutcome(ExperimentStatus Status, string Reason);

/// <summary>
/// The measured comparison, as kept in the journal and reported by the step verbs: the baseline's median, and the
/// candidate's figure as that median times the paired ratio (so the two agree with the estimate).
/// </summary>
/// <param name="Result">The sequential test's verdict and estimate.</param>
/// <param name="BaselineValue">The baseline's median of the metric.</param>
/// <param name="CandidateValue">The baseline's median times the paired ratio.</param>
/// <param name="Pairs">Baseline/candidate run pairs measured.</param>
/// <param name="StopReason">Why measuring stopped (the look and its verdict).</param>
/// <param name="Metric">The metric the verdict was taken on (the session's judging metric; empty in journals written before it was recorded).</param>
/// <param name="WallTime">For a metric standing in for wall time: wall time's verdict over the same pairs.</param>
/// <param name="LoadShift">A sharp change of the machine's load during the verdict, in words; it informs, it decides nothing.</param>
public sealed record MeasuredOutcome(
    VerdictResult Result,
    double BaselineValue,
    double CandidateValue,
    int Pairs,
    string StopReason,
    string Metric = "",
    WallTimeCheck? WallTime = null,
    string? LoadShift = null);

/// <summary>Wall time's check of a verdict taken on a proxy metric: whether it contradicts a KEEP, and what it showed.</summary>
public sealed record WallTimeCheck(bool Contradicts, string Text);

/// <summary>The in-progress experiment, persisted as <c>.perfloop/experiment.json</c>.</summary>
public sealed record ExperimentState
{
    public int Version { get; init; } = 1;

    public required int Experiment { get; init; }

    public required string PreCommit { get; init; }

    public required ExperimentPhase Phase { get; init; }

    public required ExperimentDriver Driver { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public int ProcessId { get; init; } = Environment.ProcessId;

    public string Host { get; init; } = Environment.MachineName;

    public string Target { get; init; } = "";

    public string Category { get; init; } = "";

    public string Strategy { get; init; } = "";

    public string Impact { get; init; } = "";

    public string Summary { get; init; } = "";

    /// <summary>The candidate's author (a patch's From and Date), kept by the KEEP commit; null for the local user.</summary>
    public Git.CommitAuthor? Author { get; init; }

    /// <summary>The candidate's own message body (a patch's), which the KEEP commit message keeps.</summary>
    public string Body { get; init; } = "";

    public double ThresholdPct { get; init; }

    /// <summary>The user chose to run without a guard (perfloop.json has none): every row of this experiment says no_guard.</summary>
    public bool WithoutGuard { get; init; }

    public IReadOnlyList<string> Paths { get; init; } = [];

    public EarlyOutcome? Early { get; init; }

    public string? BenchmarkFailure { get; init; }

    public MeasuredOutcome? Measured { get; init; }

    public GuardOutcome Guard { get; init; } = GuardOutcome.NotRun;

    public string? GuardFailure { get; init; }

    public int ReworksUsed { get; init; }

    /// <summary>The benchmark-fidelity check (spec step 7), made in the check step.</summary>
    public Fidelity.FidelityResult? Fidelity { get; init; }

    /// <summary>The target's micro-benchmark (spec step 5), when perfloop.json gives it one.</summary>
    public Micro.MicroOutcome? Micro { get; init; }

    /// <summary>The target's share of the benchmark's profile, known when a micro-benchmark ran.</summary>
    public HotPathEvidence? HotPath { get; init; }
}

/// <summary>Reads and writes the journal atomically (write to a temp file, then rename), so it is never torn.</summary>
public static class ExperimentJournal
{
    public static string PathIn(string repositoryRoot) => Path.Combine(PerfloopPaths.StateDirectory(repositoryRoot), "experiment.json");

    public static ExperimentState? Load(string repositoryRoot)
    {
        var path = PathIn(repositoryRoot);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<ExperimentState>(File.ReadAllText(path), JsonFormats.State);
        }
        catch (JsonException e)
        {
            throw new PerfloopException($"{path}: the experiment journal is damaged ({e.Message.Split('.')[0]}); run 'perfloop experiment abandon' to restore the tree and drop it");
        }
        catch (Exception e) when (e is NotSupportedException or ArgumentException or InvalidOperationException)
        {
            // A value of the wrong kind (an unknown phase, a number out of range) is damage too, never an internal error.
            throw new PerfloopException($"{path}: the experiment journal is damaged ({e.Message.Split('.')[0]}); run 'perfloop experiment abandon' to restore the tree and drop it");
        }
    }

    /// <summary>The journal, or why it cannot be read: lets <c>experiment abandon</c> recover from a damaged one.</summary>
    public sealed record Reading(ExperimentState? State, string? Damage);

    /// <summary>Like <see cref="Load"/>, but a damaged journal is reported, not thrown.</summary>
    public static Reading TryLoad(string repositoryRoot)
    {
        try
        {
            return new Reading(Load(repositoryRoot), null);
        }
        catch (PerfloopException e)
        {
            return new Reading(null, e.Message);
        }
    }

    public static void Save(string repositoryRoot, ExperimentState state)
    {
        var path = PathIn(repositoryRoot);
        // Reasons in the journal may quote command output; secrets from the environment never reach the disk.
        AtomicFile.WriteAllText(path, Safety.SecretRedactor.Current.Redact(JsonSerializer.Serialize(state, JsonFormats.State)));
    }

    public static void Delete(string repositoryRoot)
    {
        var path = PathIn(repositoryRoot);
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }

}
