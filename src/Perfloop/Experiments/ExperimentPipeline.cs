using System.Globalization;
using Perfloop.Compare;
using Perfloop.Configuration;
using Perfloop.Errors;
using Perfloop.Fidelity;
using Perfloop.Git;
using Perfloop.Implementers;
using Perfloop.Journal;
using Perfloop.Measurement;
using Perfloop.Micro;
using Perfloop.Oracle;
using Perfloop.Reporting;
using Perfloop.Safety;
using Perfloop.Statistics;

namespace Perfloop.Experiments;

/// <summary>How an experiment ended: the decision, its results row, and for a rework the state to continue from.</summary>
public sealed record DecideOutcome(Decision Decision, ResultRow? Row, ExperimentState? ContinueWith);

/// <summary>
/// One pass through an experiment: candidate → check → measure → decide → journal. Each step gathers evidence with I/O,
/// journals the state before it acts (so a kill can be undone) and leaves every decision to the pure
/// <see cref="CheckDecision"/> and <see cref="KeepDiscardDecision"/>. The loop calls the steps in order; an outside agent
/// calls them one command at a time; either way the same rows and commits result.
/// </summary>
public sealed class ExperimentPipeline(ExperimentContext context)
{
    public ExperimentContext Context => context;

    ILoopReporter Reporter => context.Reporter;

    SessionSetup Setup => context.Setup;

    string Root => context.Root;

    /// <summary>Opens experiment N: the Target line, the oracle and baseline build of HEAD, and the record of Perfloop's own files.</summary>
    public async Task<ExperimentState> StartAsync(CandidateInfo candidate, ExperimentDriver driver, bool withoutGuard, CancellationToken cancellationToken)
    {
        if (ExperimentJournal.Load(Root) is { } active)
        {
            throw new PerfloopException($"experiment {active.Experiment} is still in progress; finish it with {Mention.Command("experiment decide")} or drop it with {Mention.Command("experiment abandon")}");
        }

        context.RequireGuardOrWaiver(withoutGuard);
        await context.EnsureCleanAsync(cancellationToken);
        var head = await context.Repository.HeadAsync(cancellationToken);
        var n = context.Ledger.NextExperimentNumber;
        Directory.CreateDirectory(PerfloopPaths.Experiment(Root, n));
        Reporter.Status(StatusLines.Target(n, candidate));
        var state = Save(new ExperimentState
        {
            Experiment = n,
            PreCommit = head,
            Phase = ExperimentPhase.Started,
            Driver = driver,
            StartedAt = context.Services.Clock.GetUtcNow(),
            Target = candidate.Target,
            Category = candidate.Category,
            Strategy = candidate.Strategy,
            Impact = candidate.EstimatedImpact,
            Summary = candidate.Summary,
            Author = candidate.Author,
            Body = candidate.Body,
            ThresholdPct = context.ThresholdPct(),
            WithoutGuard = Setup.Guard is null,
        });
        await context.Baselines.OracleAsync(head, cancellationToken);
        await context.Baselines.TreeAsync(head, cancellationToken);
        // From here on the candidate and its code act; Perfloop's own files are recorded first so any change shows.
        TrustedFiles.Record(Root, await context.TrustedStoreAsync(cancellationToken), n);
        return state;
    }

    /// <summary>Runs the implementer for one attempt; the journal says "implementing" first so a crash mid-change is undone.</summary>
    public async Task<ExperimentState> ImplementAsync(ExperimentState state, IImplementer implementer, string? feedback, CancellationToken cancellationToken)
    {
        var candidate = CandidateOf(state);
        Reporter.Status(StatusLines.Implementing(state.Experiment, candidate));
        state = Save(state with { Phase = ExperimentPhase.Implementing });
        var request = new ImplementationRequest(context.Repository, state.Experiment, PerfloopPaths.Experiment(Root, state.Experiment), candidate, state.ReworksUsed + 1, feedback)
        {
            Rows = context.Ledger.Rows,
            Guard = Setup.Guard,
        };
        Reporter.Progress(new LoopProgress(StatusLines.Prefix(state.Experiment), "implementing"));
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

        var evidence = new CheckEvidence { ImplementationProblem = problem, TrustedFiles = await RestoreTrustedFilesAsync(state, cancellationToken) };
        return Save(state with { Phase = ExperimentPhase.Implemented, Early = CheckDecision.Decide(evidence) });
    }

    /// <summary>
    /// Everything that can end a candidate before a benchmark is worth running, each looked at only while the ones before
    /// let it go on: the change exists, leaves Perfloop's files, protected paths and the repository alone, builds, is
    /// something the benchmark exercises with unchanged settings (fidelity), and produces exactly the original output.
    /// </summary>
    public async Task<ExperimentState> CheckAsync(ExperimentState state, CancellationToken cancellationToken)
    {
        if (state.Early is not null)
        {
            return state;
        }

        var n = state.Experiment;
        var directory = PerfloopPaths.Experiment(Root, n);
        var paths = await context.Repository.ChangedPathsAsync(cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, "candidate.diff"), await context.Repository.DiffAgainstHeadAsync(paths, cancellationToken), cancellationToken);
        state = state with { Paths = paths };

        var evidence = new CheckEvidence
        {
            Paths = paths,
            ProtectedPath = Setup.Protected.FirstViolation(paths),
            OutsideRepository = PatchPaths.FirstSymlinkOut(paths, Root),
        };
        if (CheckDecision.Decide(evidence) is null)
        {
            Reporter.Progress(new LoopProgress(StatusLines.Prefix(n), "building the candidate"));
            evidence = evidence with { BuildFailure = (await context.Commands.BuildAsync(Root, Path.Combine(directory, "build.log"), cancellationToken))?.Describe() };
        }

        if (CheckDecision.Decide(evidence) is null)
        {
            var fidelity = await FidelityInspector.InspectAsync(context.Repository, paths, Setup.Config.Bench, Setup.Config.Fidelity, cancellationToken);
            Reporter.Status(StatusLines.Fidelity(n, fidelity));
            state = state with { Fidelity = fidelity };
            evidence = evidence with { Fidelity = fidelity };
        }

        if (CheckDecision.Decide(evidence) is null)
        {
            Reporter.Progress(new LoopProgress(StatusLines.Prefix(n), "comparing the output with the oracle"));
            var expected = await context.Baselines.OracleAsync(state.PreCommit, cancellationToken);
            var actual = await context.Oracles.RunAsync(Setup.Config.Oracles, Root, Path.Combine(directory, "oracle"), cancellationToken);
            evidence = evidence with { OutputDifference = OracleRunner.Compare(expected, actual) };
        }

        // The build and the oracle ran the candidate's code: it must not have touched Perfloop's own files either.
        evidence = evidence with { TrustedFiles = await RestoreTrustedFilesAsync(state, cancellationToken) };
        return Save(state with { Phase = ExperimentPhase.Checked, Early = CheckDecision.Decide(evidence) });
    }

    /// <summary>Baseline against candidate, interleaved, until the sequential test decides or the budget ends.</summary>
    public async Task<ExperimentState> BenchAsync(ExperimentState state, CancellationToken cancellationToken)
    {
        if (state.Early is null && state.Phase < ExperimentPhase.Checked)
        {
            state = await CheckAsync(state, cancellationToken);
        }

        if (state.Early is not null)
        {
            return state;
        }

        if (context.MethodologyChangeSinceBaseline() is { } change)
        {
            throw new PerfloopException(string.Create(CultureInfo.InvariantCulture,
                $"perfloop.json measures differently from {change}; the {state.ThresholdPct:0.##}% threshold was calibrated for the old way: run {Mention.Command("experiment abandon")}, then {Mention.Command("experiment start")} to calibrate a new baseline"));
        }

        var n = state.Experiment;
        var tree = await context.Baselines.TreeAsync(state.PreCommit, cancellationToken);
        state = await MicroBenchmarkAsync(state, tree.Directory, cancellationToken);
        Reporter.Status(StatusLines.Benchmarking(n));
        var metric = context.JudgingMetric();
        var design = context.ExperimentDesign();
        var comparison = await new ComparisonRun(context).MeasureAsync(n, PerfloopPaths.Experiment(Root, n), tree.Directory, metric, state.ThresholdPct, design, 1 + state.ReworksUsed, cancellationToken);
        if (comparison.Failure is { } failure)
        {
            return Save(state with { Phase = ExperimentPhase.Benchmarked, BenchmarkFailure = $"{failure.Side.ToString().ToLowerInvariant()} run {failure.Message}" });
        }

        // The candidate's figure is the baseline's median times the paired ratio, so every figure shown agrees with the estimate.
        var result = comparison.Result!;
        var baselineMedian = Median.Of(comparison.Values(Side.Baseline, metric.Name)) ?? double.NaN;
        // A proxy's improvement must not be contradicted by wall time over the same pairs (a KEEP only; pure check).
        var wallTime = result.Verdict == Verdict.Improved && context.JudgesByWallTimeProxy()
            ? WallTimeGuard.Check(comparison.Samples, result, design) is var check ? new WallTimeCheck(check.Contradicts, check.Text) : null
            : null;
        var loadShift = LoadShiftDetector.Detect(comparison.Samples)?.Text;
        var measured = new MeasuredOutcome(result, baselineMedian, StatusLines.AtRatio(baselineMedian, result), comparison.Pairs, comparison.StopReason, metric.Name, wallTime, loadShift);
        Reporter.Status(StatusLines.Result(n, measured.BaselineValue, metric.Unit, measured.Result) + (loadShift is null ? "" : $"; note: {loadShift}"));
        if (wallTime is not null)
        {
            Reporter.Status($"{StatusLines.Prefix(n)} Wall-time check of the {metric.Name} verdict: {wallTime.Text}");
        }

        return Save(state with { Phase = ExperimentPhase.Benchmarked, Measured = measured, BenchmarkFailure = null });
    }

    /// <summary>
    /// Spec step 5: the target's own micro-benchmark from perfloop.json, A/B against the baseline tree with the same
    /// engine as the benchmark and the domain's micro threshold; also fixes the target's hot-path share for the
    /// micro-only branch of the decision. Skipped when no target matches, and not repeated once journaled.
    /// </summary>
    async Task<ExperimentState> MicroBenchmarkAsync(ExperimentState state, string baselineDirectory, CancellationToken cancellationToken)
    {
        var config = Setup.Config;
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
        var threshold = config.Thresholds.MicroPct ?? Setup.Domain.MicroThresholdPct;
        var request = new MicroRequest(baselineDirectory, Root, threshold, plan, Path.Combine(PerfloopPaths.Experiment(Root, n), "micro-samples.tsv"));
        var outcome = await MicroTargets.Create(target.Name, micro, context.Services.Runner).RunAsync(request, cancellationToken);
        Reporter.Status(StatusLines.Micro(n, outcome));
        var (profile, _) = BenchmarkProfileStore.Load(Root, withCompiledMethods: false);
        var hotPath = HotPathShare.Resolve(state.Target, profile, target, state.Impact, config.Thresholds.HotPathSharePct);
        return Save(state with { Micro = outcome, HotPath = hotPath });
    }

    /// <summary>The guard, after the benchmark and only when its verdict can change the outcome (spec step 10).</summary>
    public async Task<ExperimentState> GuardAsync(ExperimentState state, CancellationToken cancellationToken)
    {
        if (Setup.Guard is null)
        {
            return Save(state with { Guard = GuardOutcome.Waived });
        }

        if (!KeepDiscardDecision.GuardNeeded(Evidence(state, 0)))
        {
            return state;
        }

        Reporter.Detail($"{StatusLines.Prefix(state.Experiment)} Guard: {Setup.Guard}");
        Reporter.Progress(new LoopProgress(StatusLines.Prefix(state.Experiment), "running the guard"));
        var failure = await context.Commands.GuardAsync(Path.Combine(PerfloopPaths.Experiment(Root, state.Experiment), "guard.log"), cancellationToken);
        return Save(state with
        {
            Phase = ExperimentPhase.Guarded,
            Guard = failure is null ? GuardOutcome.Passed : GuardOutcome.Failed,
            GuardFailure = failure,
        });
    }

    /// <summary>
    /// Applies the decision tree to everything gathered — with the end-to-end comparison made first for a candidate that
    /// would be kept, so a KEEP is never taken back — then commits (KEEP), restores the tree exactly and keeps the diff
    /// (DISCARD, crash), or restores and hands the state back (rework). Any step not yet run runs first.
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

        // The benchmark and the guard ran the candidate's code: Perfloop's own files are checked (and put back) once more.
        var evidence = Evidence(state, maxReworks - state.ReworksUsed) with { TrustedFiles = await RestoreTrustedFilesAsync(state, cancellationToken) };
        var e2eColumns = new Dictionary<string, string>();
        string? candidateCommit = null;
        if (Setup.Config.EndToEnd.Enabled && KeepDiscardDecision.EndToEndNeeded(evidence))
        {
            Reporter.Progress(new LoopProgress(StatusLines.Prefix(state.Experiment), "end-to-end comparison (both commits built in worktrees)"));
            candidateCommit = await context.Repository.CreateCommitAsync(state.PreCommit, state.Paths, CommitMessage(state, reason: null), state.Author, cancellationToken);
            var (e2e, columns) = await EndToEndAsync(state, candidateCommit, cancellationToken);
            evidence = evidence with { EndToEnd = e2e };
            e2eColumns = columns;
        }

        var decision = KeepDiscardDecision.Decide(evidence);
        state = Save(state with { Phase = ExperimentPhase.Deciding });
        if (decision.Action == DecisionAction.Rework)
        {
            await context.Repository.RestoreAsync(cancellationToken);
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

        if (state.Measured?.LoadShift is { } shift)
        {
            e2eColumns[ResultsTable.LoadShiftColumn] = shift;
        }

        var row = RowOf(state, decision) with { Extra = e2eColumns };
        if (decision.Action == DecisionAction.Keep)
        {
            var commit = await context.Repository.CreateCommitAsync(state.PreCommit, state.Paths, CommitMessage(state, decision.Reason), state.Author, cancellationToken);
            await context.Repository.AdvanceHeadAsync(commit, state.PreCommit, cancellationToken);
            // Whatever the build or benchmark left outside the candidate's own files goes, so the next experiment starts clean.
            await context.Repository.RestoreAsync(cancellationToken);
            row = row with { Commit = commit };
            Reporter.Status(StatusLines.Keep(state.Experiment));
            Reporter.Detail($"{StatusLines.Prefix(state.Experiment)} committed {CommitId.Abbreviate(commit)}: {state.Summary}");
        }
        else
        {
            await context.Repository.RestoreAsync(cancellationToken);
            Reporter.Status(StatusLines.Discard(state.Experiment, row.Reason));
            Reporter.Detail($"{StatusLines.Prefix(state.Experiment)} work tree restored; candidate diff kept in {Path.GetRelativePath(Root, Path.Combine(PerfloopPaths.Experiment(Root, state.Experiment), "candidate.diff"))}");
        }

        context.Ledger.Append(row);
        ExperimentJournal.Delete(Root);
        return new DecideOutcome(decision, row, null);
    }

    /// <summary>
    /// The spec's e2e step: the pre-optimization commit against the commit the candidate would become, each built in its
    /// own worktree and measured interleaved with the session's metric and threshold. Its verdict is evidence for the
    /// decision; its figures go to the row.
    /// </summary>
    async Task<(EndToEndEvidence Evidence, Dictionary<string, string> Columns)> EndToEndAsync(ExperimentState state, string candidateCommit, CancellationToken cancellationToken)
    {
        var request = new CompareRequest(state.PreCommit, candidateCommit)
        {
            Benchmarks = Setup.Config.EndToEnd.Bench is { } bench ? [bench] : [],
            Metric = context.JudgingMetric(),
            ThresholdPct = state.ThresholdPct,
            Counter = await context.CounterAsync(cancellationToken),
        };
        var report = await EndToEndComparer.CompareAsync(context.Repository, Setup.Config, request, null, cancellationToken);
        var comparison = report.Benchmarks[0];
        Reporter.Status(CompareFormatter.EndToEndLine(state.Experiment, report, comparison));
        var columns = new Dictionary<string, string>
        {
            ["e2e_base"] = Invariant(comparison.BaseMedian),
            ["e2e_head"] = Invariant(comparison.HeadAtRatio),
            ["e2e_speedup"] = Invariant(comparison.Speedup(report.Direction)),
            ["e2e_verdict"] = report.VerdictWord(comparison.Verdict),
        };
        var shows = comparison.Verdict == CompareVerdict.Failed
            ? $"the end-to-end benchmark failed ({comparison.Failure})"
            : $"the end-to-end comparison shows {report.VerdictWord(comparison.Verdict)} ({(comparison.Estimate is { } e ? StatusLines.Interval(new VerdictResult(Verdict.Equivalent, e, state.ThresholdPct, false, false)) : "no estimate")})";
        return (new EndToEndEvidence(comparison.Verdict, shows), columns);
    }

    static string Invariant(double? value) => value is { } v ? Math.Round(v, 4).ToString("0.####", CultureInfo.InvariantCulture) : "";

    /// <summary>
    /// Undoes an experiment that did not finish (the process was killed or interrupted, or the user abandons it): keeps
    /// whatever the candidate changed as a diff, puts Perfloop's own files back, restores the tree, and records a crash
    /// row — unless the experiment had already committed its KEEP, in which case its keep row is completed instead.
    /// </summary>
    public async Task<ResultRow?> RecoverAsync(string why, CancellationToken cancellationToken)
    {
        if (ExperimentJournal.Load(Root) is not { } state)
        {
            return null;
        }

        // Perfloop's own files first, so the row recorded below is not taken for a change the candidate made.
        await RestoreTrustedFilesAsync(state, cancellationToken);
        var n = state.Experiment;
        var existing = context.Ledger.Experiment(n);
        var head = await context.Repository.HeadAsync(cancellationToken);
        if (existing is null && head != state.PreCommit && await CommitOfExperimentAsync(head, n, cancellationToken))
        {
            existing = context.Ledger.Append(RowOf(state, Decision.Keep("kept; the run stopped before recording it")) with { Commit = head });
        }

        if (existing is null)
        {
            var directory = PerfloopPaths.Experiment(Root, n);
            Directory.CreateDirectory(directory);
            var paths = await context.Repository.ChangedPathsAsync(cancellationToken);
            var diff = await context.Repository.DiffAgainstHeadAsync(paths, cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(directory, "candidate.diff"), diff, cancellationToken);
            existing = context.Ledger.Append(RowOf(state, new Decision(DecisionAction.Crash, $"{why} during {state.Phase.ToString().ToLowerInvariant()}")));
        }

        await context.Repository.RestoreAsync(cancellationToken);
        ExperimentJournal.Delete(Root);
        Reporter.Status($"{StatusLines.Prefix(n)} recovered: {existing.StatusText} — {existing.Reason}");
        return existing;
    }

    /// <summary>Puts back any of Perfloop's own files the candidate or its code changed since the experiment started; returns what changed.</summary>
    async Task<IReadOnlyList<TrustedFileChange>> RestoreTrustedFilesAsync(ExperimentState state, CancellationToken cancellationToken)
    {
        var trusted = TrustedFiles.Load(Root, await context.TrustedStoreAsync(cancellationToken), state.Experiment);
        var changes = trusted?.Restore() ?? [];
        if (changes.Count > 0)
        {
            Reporter.Status($"{StatusLines.Prefix(state.Experiment)} the candidate changed Perfloop's own files ({string.Join(", ", changes.Take(3).Select(c => $"{c.What} .perfloop/{c.Path}"))}); they were put back");
        }

        return changes;
    }

    async Task<bool> CommitOfExperimentAsync(string commit, int experiment, CancellationToken cancellationToken)
    {
        var message = await context.Repository.MessageAsync(commit, cancellationToken);
        return message.Contains($"Perfloop-Experiment: {experiment.ToString(CultureInfo.InvariantCulture)}\n", StringComparison.Ordinal);
    }

    ExperimentState Save(ExperimentState state)
    {
        ExperimentJournal.Save(Root, state);
        return state;
    }

    static CandidateInfo CandidateOf(ExperimentState state) =>
        new(state.Summary, state.Target, state.Category, state.Strategy, state.Impact) { Author = state.Author, Body = state.Body };

    Evidence Evidence(ExperimentState state, int reworksLeft) => new()
    {
        MetricName = MetricOf(state).Name,
        WallTimeContradiction = state.Measured?.WallTime is { Contradicts: true } wall ? wall.Text : null,
        Early = state.Early,
        BenchmarkFailure = state.BenchmarkFailure,
        Metric = state.Measured?.Result,
        Guard = state.Guard,
        GuardFailure = state.GuardFailure,
        ReworksLeft = reworksLeft,
        Micro = state.Micro?.Result,
        HotPath = state.HotPath,
    };

    /// <summary>The metric the experiment was (or will be) judged on: the one its measurement recorded, else the session's judging metric.</summary>
    SelectedMetric MetricOf(ExperimentState state)
    {
        var judging = context.JudgingMetric();
        return state.Measured is { Metric: { Length: > 0 } measured } && measured != judging.Name
            ? judging with { Name = measured, Unit = MetricSelection.UnitOf(measured) }
            : judging;
    }

    ResultRow RowOf(ExperimentState state, Decision decision)
    {
        var estimate = state.Measured?.Result.Estimate;
        var micro = state.Micro?.Result?.Estimate;
        return new ResultRow
        {
            Experiment = state.Experiment,
            Timestamp = context.Services.Clock.GetUtcNow(),
            Domain = Setup.Domain.Name,
            Target = state.Target,
            Category = state.Category,
            Strategy = state.Strategy,
            Summary = state.Summary,
            Metric = MetricOf(state).Name,
            Baseline = state.Measured?.BaselineValue,
            Candidate = state.Measured?.CandidateValue,
            DeltaPct = estimate?.DeltaPct,
            CiLowPct = estimate is { IsBounded: true } ? estimate.LowPct : null,
            CiHighPct = estimate is { IsBounded: true } ? estimate.HighPct : null,
            Pairs = state.Measured?.Pairs,
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
                _ when state.WithoutGuard => GuardStatus.NoGuard,
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

    /// <summary>
    /// The KEEP commit's message, as <c>git am</c> keeps the candidate's own with Perfloop's lines added (see
    /// <see cref="KeepCommitMessage"/>). <paramref name="reason"/> is null for the commit the end-to-end comparison measures.
    /// </summary>
    string CommitMessage(ExperimentState state, string? reason) => KeepCommitMessage.Compose(
        state.Summary,
        state.Body,
        reason is null ? "Measured by Perfloop end to end before it is kept." : $"Measured by Perfloop: {reason}.",
        [("Target", state.Target), ("Category", state.Category), ("Strategy", state.Strategy)],
        [
            ("Perfloop-Experiment", state.Experiment.ToString(CultureInfo.InvariantCulture)),
            .. state.Measured is { } m
                ? [("Perfloop-Metric", $"{MetricOf(state).Name} {StatusLines.Measure(m.BaselineValue, MetricOf(state).Unit)} → {StatusLines.Measure(m.CandidateValue, MetricOf(state).Unit)} ({StatusLines.Interval(m.Result)})")]
                : Array.Empty<(string, string)>(),
        ]);
}
