using System.Globalization;
using Perfloop.Configuration;
using Perfloop.Errors;
using Perfloop.Fidelity;
using Perfloop.Implementers;
using Perfloop.Journal;
using Perfloop.Measurement;
using Perfloop.Micro;
using Perfloop.Oracle;
using Perfloop.Safety;
using Perfloop.Statistics;

namespace Perfloop.Experiments;

/// <summary>How an experiment ended: the decision, its results row, and for a rework the state to continue from.</summary>
public sealed record DecideOutcome(Decision Decision, ResultRow? Row, ExperimentState? ContinueWith);

/// <summary>
/// The steps of one experiment, each recorded in the journal before it acts. The autonomous loop calls them
/// in order; an outside agent calls them one command at a time. Either way the same rows and commits result.
/// </summary>
public sealed class ExperimentSteps(Workspace workspace)
{
    public Workspace Workspace => workspace;

    ILoopReporter Reporter => workspace.Reporter;

    string Root => workspace.Root;

    /// <summary>Opens experiment N: prints the Target line, captures the oracle on the unchanged code, journals the start.</summary>
    public async Task<ExperimentState> StartAsync(CandidateInfo candidate, ExperimentDriver driver, CancellationToken cancellationToken)
    {
        if (ExperimentJournal.Load(Root) is { } active)
        {
            throw new PerfloopException($"experiment {active.Experiment} is still in progress; finish it with 'perfloop experiment decide' or drop it with 'perfloop experiment abandon'");
        }

        await workspace.EnsureCleanAsync(cancellationToken);
        var head = await workspace.Repository.HeadAsync(cancellationToken);
        var n = workspace.NextExperimentNumber();
        Directory.CreateDirectory(PerfloopPaths.Experiment(Root, n));
        Reporter.Status(StatusLines.Target(n, candidate));
        var state = new ExperimentState
        {
            Experiment = n,
            PreCommit = head,
            Phase = ExperimentPhase.Started,
            Driver = driver,
            StartedAt = workspace.Clock.GetUtcNow(),
            Target = candidate.Target,
            Category = candidate.Category,
            Strategy = candidate.Strategy,
            Impact = candidate.EstimatedImpact,
            Summary = candidate.Summary,
            Author = candidate.Author,
            Body = candidate.Body,
            ThresholdPct = workspace.CalibratedThresholdPct() ?? workspace.ConfiguredThresholdPct,
        };
        ExperimentJournal.Save(Root, state);
        await workspace.OracleAsync(head, cancellationToken);
        return state;
    }

    /// <summary>Runs the implementer for one attempt; the journal says "implementing" first so a crash mid-change is undone.</summary>
    public async Task<ExperimentState> ImplementAsync(ExperimentState state, IImplementer implementer, string? feedback, CancellationToken cancellationToken)
    {
        var candidate = CandidateOf(state);
        Reporter.Status(StatusLines.Implementing(state.Experiment, candidate));
        state = Save(state with { Phase = ExperimentPhase.Implementing });
        var request = new ImplementationRequest(workspace.Repository, state.Experiment, PerfloopPaths.Experiment(Root, state.Experiment), candidate, state.ReworksUsed + 1, feedback);
        var problem = await implementer.ImplementAsync(request, cancellationToken);
        if (implementer.LastSummary is { Length: > 0 } summary && summary != state.Summary)
        {
            Reporter.Detail($"{StatusLines.Prefix(state.Experiment)} the implementer's summary: {summary}");
            state = state with { Summary = summary };
        }

        if (implementer.LastDetail is { Length: > 0 } detail)
        {
            Reporter.Detail($"{StatusLines.Prefix(state.Experiment)} {detail}");
        }

        return Save(state with
        {
            Phase = ExperimentPhase.Implemented,
            Early = problem is null ? null : new EarlyOutcome(ExperimentStatus.Discard, problem),
        });
    }

    /// <summary>
    /// Everything that can fail before a benchmark is worth running: the change exists, stays out of protected
    /// paths, builds, is something the benchmark exercises with unchanged settings (fidelity), and produces exactly
    /// the original output.
    /// </summary>
    public async Task<ExperimentState> CheckAsync(ExperimentState state, CancellationToken cancellationToken)
    {
        if (state.Early is not null)
        {
            return state;
        }

        var n = state.Experiment;
        var directory = PerfloopPaths.Experiment(Root, n);
        var paths = await workspace.Repository.ChangedPathsAsync(cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, "candidate.diff"), await workspace.Repository.DiffAgainstHeadAsync(paths, cancellationToken), cancellationToken);
        state = state with { Paths = paths };

        EarlyOutcome? early = null;
        if (paths.Count == 0)
        {
            early = new(ExperimentStatus.Discard, "the candidate changes nothing");
        }
        else if (workspace.Protected.FirstViolation(paths) is { } violation)
        {
            early = new(ExperimentStatus.Discard, $"touches protected path {violation.Path} ({violation.Reason})");
        }
        else if (PatchPaths.FirstSymlinkOut(paths, Root) is { } escape)
        {
            early = new(ExperimentStatus.Discard, $"reaches outside the repository: {escape.Path} is {escape.Reason}");
        }
        else if (await workspace.BuildAsync(Root, Path.Combine(directory, "build.log"), cancellationToken) is { } buildFailure)
        {
            early = new(ExperimentStatus.Crash, $"build failed: {buildFailure}");
        }
        else
        {
            var fidelity = await CheckFidelityAsync(n, paths, cancellationToken);
            state = state with { Fidelity = fidelity };
            early = fidelity.Verdict == FidelityVerdict.Failed
                ? new(ExperimentStatus.Discard, $"fidelity: {fidelity.Summary}")
                : await CompareOutputAsync(state, directory, cancellationToken);
        }

        return Save(state with { Phase = ExperimentPhase.Checked, Early = early });
    }

    /// <summary>Baseline against candidate, interleaved, until the sequential test decides or the budget ends.</summary>
    public async Task<ExperimentState> BenchAsync(ExperimentState state, CancellationToken cancellationToken)
    {
        if (state.Early is not null)
        {
            return state;
        }

        if (state.Phase < ExperimentPhase.Checked)
        {
            state = await CheckAsync(state, cancellationToken);
            if (state.Early is not null)
            {
                return state;
            }
        }

        if (workspace.MethodologyChangeSinceBaseline() is { } change)
        {
            throw new PerfloopException(string.Create(CultureInfo.InvariantCulture,
                $"perfloop.json measures differently from {change}; the {state.ThresholdPct:0.##}% threshold was calibrated for the old way: run 'perfloop experiment abandon', then 'perfloop experiment start' to calibrate a new baseline"));
        }

        var n = state.Experiment;
        var tree = await workspace.BaselineTreeAsync(state.PreCommit, cancellationToken);
        state = await MicroBenchmarkAsync(state, tree.Directory, cancellationToken);
        Reporter.Status(StatusLines.Benchmarking(n));
        var design = workspace.Methodology.ExperimentDesign;
        var comparison = await workspace.MeasureAsync(n, tree.Directory, state.ThresholdPct, design, cancellationToken);
        if (comparison.Failure is { } failure)
        {
            return Save(state with
            {
                Phase = ExperimentPhase.Benchmarked,
                BenchmarkFailure = $"{failure.Side.ToString().ToLowerInvariant()} run {failure.Message}",
            });
        }

        var measured = new MeasuredOutcome(
            comparison.Result!,
            Workspace.Median(comparison.Values(Side.Baseline, workspace.Metric)),
            Workspace.Median(comparison.Values(Side.Candidate, workspace.Metric)),
            comparison.Pairs,
            comparison.StopReason);
        Reporter.Status(StatusLines.Result(n, measured.BaselineValue, measured.CandidateValue, workspace.Unit, measured.Result));
        return Save(state with { Phase = ExperimentPhase.Benchmarked, Measured = measured, BenchmarkFailure = null });
    }

    /// <summary>Spec step 8: the candidate's output against the original's; a difference ends the experiment before benchmarking.</summary>
    async Task<EarlyOutcome?> CompareOutputAsync(ExperimentState state, string directory, CancellationToken cancellationToken)
    {
        var expected = await workspace.OracleAsync(state.PreCommit, cancellationToken);
        var actual = await workspace.Oracles.RunAsync(workspace.Config.Oracles, Root, Path.Combine(directory, "oracle"), cancellationToken);
        return OracleRunner.Compare(expected, actual) is { } difference
            ? new(ExperimentStatus.Discard, $"output mismatch: {difference}")
            : null;
    }

    /// <summary>Spec step 7: does the benchmark run what the candidate changed, with the same settings? Printed and journaled.</summary>
    async Task<FidelityResult> CheckFidelityAsync(int n, IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        var fidelity = await FidelityInspector.InspectAsync(workspace.Repository, paths, workspace.Config.Bench, workspace.Config.Fidelity, cancellationToken);
        Reporter.Status(StatusLines.Fidelity(n, fidelity));
        return fidelity;
    }

    /// <summary>
    /// Spec step 5: the target's own micro-benchmark from perfloop.json, A/B against the baseline tree with the same
    /// engine as the benchmark and the domain's micro threshold; also fixes the target's hot-path share for the
    /// micro-only branch of the decision. Skipped when no target matches, and not repeated once journaled.
    /// </summary>
    async Task<ExperimentState> MicroBenchmarkAsync(ExperimentState state, string baselineDirectory, CancellationToken cancellationToken)
    {
        var config = workspace.Config;
        if (state.Micro is not null || MicroTargets.Match(config.Targets, state.Target) is not { Micro: { } micro } target)
        {
            return state;
        }

        var n = state.Experiment;
        Reporter.Status(StatusLines.MicroBenchmarking(n));
        var m = config.Measurement;
        var plan = new MeasurementPlan(
            m.WarmupRuns,
            new SequentialDesign(m.MinRuns, m.MaxRuns),
            TimeSpan.FromSeconds(m.MaxSeconds),
            TimeSpan.FromSeconds(config.Timeouts.BenchSeconds),
            m.Seed + (n * 7919) + 1);
        var threshold = config.Thresholds.MicroPct ?? workspace.Domain.MicroThresholdPct;
        var request = new MicroRequest(baselineDirectory, Root, threshold, plan, Path.Combine(PerfloopPaths.Experiment(Root, n), "micro-samples.tsv"));
        var outcome = await MicroTargets.Create(target.Name, micro, workspace.Runner).RunAsync(request, cancellationToken);
        Reporter.Status(StatusLines.Micro(n, outcome));
        var (profile, _) = BenchmarkProfileStore.Load(Root, withCompiledMethods: false);
        var hotPath = HotPathShare.Resolve(state.Target, profile, target, state.Impact, config.Thresholds.HotPathSharePct);
        return Save(state with { Micro = outcome, HotPath = hotPath });
    }

    /// <summary>The guard, after the benchmark and only when its verdict can change the outcome (spec step 10).</summary>
    public async Task<ExperimentState> GuardAsync(ExperimentState state, CancellationToken cancellationToken)
    {
        if (workspace.Guard is null)
        {
            return Save(state with { Guard = GuardOutcome.NotConfigured });
        }

        if (!KeepDiscardDecision.GuardNeeded(Evidence(state, 0)))
        {
            return state;
        }

        Reporter.Detail($"{StatusLines.Prefix(state.Experiment)} Guard: {workspace.Guard}");
        var failure = await workspace.RunGuardAsync(Path.Combine(PerfloopPaths.Experiment(Root, state.Experiment), "guard.log"), cancellationToken);
        return Save(state with
        {
            Phase = ExperimentPhase.Guarded,
            Guard = failure is null ? GuardOutcome.Passed : GuardOutcome.Failed,
            GuardFailure = failure,
        });
    }

    /// <summary>
    /// Applies the decision tree: KEEP commits the candidate's files, DISCARD/crash restores the tree exactly and
    /// keeps the diff, a rework restores the tree and hands the state back. Any step not yet run runs first.
    /// </summary>
    public async Task<DecideOutcome> DecideAsync(ExperimentState state, int maxReworks, CancellationToken cancellationToken)
    {
        if (state.Early is null && state.Phase < ExperimentPhase.Benchmarked)
        {
            state = await BenchAsync(state, cancellationToken);
        }

        if (state.Early is null && state.BenchmarkFailure is null && state.Guard == GuardOutcome.NotRun)
        {
            state = await GuardAsync(state, cancellationToken);
        }

        var decision = state.Early is { } early
            ? new Decision(early.Status == ExperimentStatus.Crash ? DecisionAction.Crash : DecisionAction.Discard, early.Reason)
            : KeepDiscardDecision.Decide(Evidence(state, maxReworks - state.ReworksUsed));
        state = Save(state with { Phase = ExperimentPhase.Deciding });

        if (decision.Action == DecisionAction.Rework)
        {
            await workspace.Repository.RestoreAsync(cancellationToken);
            Reporter.Status($"{StatusLines.Prefix(state.Experiment)} Guard failed; reworking ({state.ReworksUsed + 1} of {maxReworks}): {decision.Reason}");
            var next = Save(state with
            {
                Phase = ExperimentPhase.Started,
                ReworksUsed = state.ReworksUsed + 1,
                Paths = [],
                Measured = null,
                Guard = GuardOutcome.NotRun,
                GuardFailure = null,
                BenchmarkFailure = null,
                Fidelity = null,
                Micro = null,
                HotPath = null,
            });
            return new DecideOutcome(decision, null, next);
        }

        var row = RowOf(state, decision);
        if (decision.Action == DecisionAction.Keep)
        {
            var commit = await workspace.Repository.CommitAsync(state.Paths, CommitMessage(state, row), state.Author, cancellationToken);
            // Whatever the build or benchmark left outside the candidate's own files goes, so the next experiment starts clean.
            await workspace.Repository.RestoreAsync(cancellationToken);
            row = row with { Commit = commit };
            Reporter.Status(StatusLines.Keep(state.Experiment));
            Reporter.Detail($"{StatusLines.Prefix(state.Experiment)} committed {Workspace.Abbreviate(commit)}: {state.Summary}");
            row = await EndToEndAsync(state, row, cancellationToken);
            ResultsTable.Append(workspace.ResultsPath, row);
            ExperimentJournal.Delete(Root);
        }
        else
        {
            await workspace.Repository.RestoreAsync(cancellationToken);
            ResultsTable.Append(workspace.ResultsPath, row);
            ExperimentJournal.Delete(Root);
            Reporter.Status(StatusLines.Discard(state.Experiment, row.Reason));
            Reporter.Detail($"{StatusLines.Prefix(state.Experiment)} work tree restored; candidate diff kept in {Path.GetRelativePath(Root, Path.Combine(PerfloopPaths.Experiment(Root, state.Experiment), "candidate.diff"))}");
        }

        return new DecideOutcome(decision, row, null);
    }

    /// <summary>
    /// The spec's e2e step after a KEEP: the pre-optimization commit against the new HEAD, each built in its own
    /// worktree. When e2e contradicts the benchmark that kept the change (no improvement beyond the threshold, or
    /// worse), e2e wins: Perfloop takes back the commit it just made and the experiment becomes a DISCARD.
    /// </summary>
    async Task<ResultRow> EndToEndAsync(ExperimentState state, ResultRow row, CancellationToken cancellationToken)
    {
        var settings = workspace.Config.EndToEnd;
        if (!settings.Enabled)
        {
            return row;
        }

        var config = workspace.Config with { Thresholds = workspace.Config.Thresholds with { KeepPct = state.ThresholdPct } };
        var report = await Compare.EndToEndComparer.CompareAsync(workspace.Repository, config, state.PreCommit, row.Commit, settings.Bench, null, cancellationToken);
        var bench = report.Benchmarks[0];
        Reporter.Status(Compare.CompareFormatter.EndToEndLine(state.Experiment, report, bench));
        var extra = new Dictionary<string, string>(row.Extra)
        {
            ["e2e_base"] = Invariant(bench.BaseMedian),
            ["e2e_head"] = Invariant(bench.HeadMedian),
            ["e2e_speedup"] = Invariant(bench.Speedup(report.Direction)),
            ["e2e_verdict"] = report.VerdictWord(bench.Verdict),
        };
        row = row with { Extra = extra };
        if (bench.Verdict is not (Compare.CompareVerdict.Same or Compare.CompareVerdict.Worse or Compare.CompareVerdict.Failed))
        {
            return row;
        }

        var why = bench.Verdict == Compare.CompareVerdict.Failed
            ? $"the end-to-end benchmark failed ({bench.Failure})"
            : $"the end-to-end comparison shows {report.VerdictWord(bench.Verdict)} ({(bench.Estimate is { } e ? StatusLines.Interval(new VerdictResult(Verdict.Equivalent, e, state.ThresholdPct, false, false)) : "no estimate")})";
        // Only Perfloop's own, just-made commit is taken back, and only while it is still the branch tip.
        if (await workspace.Repository.HeadAsync(cancellationToken) == row.Commit)
        {
            await workspace.Repository.Git.RunAsync(["reset", "-q", "--hard", state.PreCommit], cancellationToken);
        }

        Reporter.Status(StatusLines.Discard(state.Experiment, $"e2e contradicts the benchmark: {why}"));
        return row with { Status = ExperimentStatus.Discard, Commit = state.PreCommit, Reason = $"e2e contradicts the benchmark that kept it ({row.Reason}): {why}" };
    }

    static string Invariant(double? value) => value is { } v ? Math.Round(v, 4).ToString("0.####", CultureInfo.InvariantCulture) : "";

    /// <summary>
    /// Undoes an experiment that did not finish (the process was killed or interrupted, or the user abandons it):
    /// keeps whatever the candidate changed as a diff, restores the tree, and records a crash row — unless the
    /// experiment had already committed its KEEP, in which case its keep row is completed instead.
    /// </summary>
    public async Task<ResultRow?> RecoverAsync(string why, CancellationToken cancellationToken)
    {
        if (ExperimentJournal.Load(Root) is not { } state)
        {
            return null;
        }

        var n = state.Experiment;
        var existing = workspace.Rows().FirstOrDefault(r => r.Experiment == n);
        var head = await workspace.Repository.HeadAsync(cancellationToken);
        if (existing is null && head != state.PreCommit && await CommitOfExperimentAsync(head, n, cancellationToken))
        {
            existing = RowOf(state, Decision.Keep("kept; the run stopped before recording it")) with { Commit = head };
            ResultsTable.Append(workspace.ResultsPath, existing);
        }

        if (existing is null)
        {
            var directory = PerfloopPaths.Experiment(Root, n);
            Directory.CreateDirectory(directory);
            var paths = await workspace.Repository.ChangedPathsAsync(cancellationToken);
            var diff = await workspace.Repository.DiffAgainstHeadAsync(paths, cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(directory, "candidate.diff"), diff, cancellationToken);
            existing = RowOf(state, new Decision(DecisionAction.Crash, $"{why} during {state.Phase.ToString().ToLowerInvariant()}"));
            ResultsTable.Append(workspace.ResultsPath, existing);
        }

        await workspace.Repository.RestoreAsync(cancellationToken);
        ExperimentJournal.Delete(Root);
        Reporter.Status($"{StatusLines.Prefix(n)} recovered: {existing.StatusText} — {existing.Reason}");
        return existing;
    }

    async Task<bool> CommitOfExperimentAsync(string commit, int experiment, CancellationToken cancellationToken)
    {
        var message = await workspace.Repository.Git.RunAsync(["log", "-1", "--format=%B", commit], cancellationToken);
        return message.Contains($"Perfloop-Experiment: {experiment.ToString(CultureInfo.InvariantCulture)}\n", StringComparison.Ordinal);
    }

    ExperimentState Save(ExperimentState state)
    {
        ExperimentJournal.Save(Root, state);
        return state;
    }

    static CandidateInfo CandidateOf(ExperimentState state) => new(state.Summary, state.Target, state.Category, state.Strategy, state.Impact) { Author = state.Author, Body = state.Body };

    static Evidence Evidence(ExperimentState state, int reworksLeft) => new()
    {
        BenchmarkFailure = state.BenchmarkFailure,
        Metric = state.Measured?.Result,
        Guard = state.Guard,
        GuardFailure = state.GuardFailure,
        ReworksLeft = reworksLeft,
        Micro = state.Micro?.Result,
        HotPath = state.HotPath,
    };

    ResultRow RowOf(ExperimentState state, Decision decision)
    {
        var estimate = state.Measured?.Result.Estimate;
        var micro = state.Micro?.Result?.Estimate;
        return new ResultRow
        {
            Experiment = state.Experiment,
            Timestamp = workspace.Clock.GetUtcNow(),
            Domain = workspace.Domain.Name,
            Target = state.Target,
            Category = state.Category,
            Strategy = state.Strategy,
            Summary = state.Summary,
            Metric = workspace.Metric,
            Baseline = state.Measured?.BaselineValue,
            Candidate = state.Measured?.CandidateValue,
            DeltaPct = estimate?.DeltaPct,
            CiLowPct = estimate is { IsBounded: true } ? estimate.LowPct : null,
            CiHighPct = estimate is { IsBounded: true } ? estimate.HighPct : null,
            Runs = state.Measured?.Runs,
            ThresholdPct = state.ThresholdPct,
            Status = decision.Action switch
            {
                DecisionAction.Keep => ExperimentStatus.Keep,
                DecisionAction.Crash => ExperimentStatus.Crash,
                _ => ExperimentStatus.Discard,
            },
            Guard = state.Guard switch
            {
                GuardOutcome.Passed => GuardStatus.Passed,
                GuardOutcome.Failed => GuardStatus.Failed,
                _ => GuardStatus.NotRun,
            },
            Commit = state.PreCommit,
            Reason = decision.Reason,
            MicroDeltaPct = micro?.DeltaPct,
            MicroCiLowPct = micro is { IsBounded: true } ? micro.LowPct : null,
            MicroCiHighPct = micro is { IsBounded: true } ? micro.HighPct : null,
            Fidelity = state.Fidelity?.Column ?? "",
        };
    }

    string CommitMessage(ExperimentState state, ResultRow row) => KeepCommitMessage.Compose(
        state.Summary,
        state.Body,
        $"Measured by Perfloop: {row.Reason}.",
        [("Target", state.Target), ("Category", state.Category), ("Strategy", state.Strategy)],
        [
            ("Perfloop-Experiment", state.Experiment.ToString(CultureInfo.InvariantCulture)),
            .. state.Measured is { } m
                ? [("Perfloop-Metric", $"{workspace.Metric} {StatusLines.Measure(m.BaselineValue, workspace.Unit)} → {StatusLines.Measure(m.CandidateValue, workspace.Unit)} ({StatusLines.Interval(m.Result)})")]
                : Array.Empty<(string, string)>(),
        ]);
}
