using System.Globalization;
using Perfloop.Configuration;
using Perfloop.Experiments;
using Perfloop.Git;
using Perfloop.Implementers;
using Perfloop.Journal;
using Perfloop.Policies;
using Perfloop.Reporting;
using Perfloop.Safety;

namespace Perfloop.Sessions;

public sealed record RunOptions(string Directory, IImplementer Implementer)
{
    public int? MaxExperiments { get; init; }

    /// <summary>Stop starting experiments once this much time has passed since the session began.</summary>
    public double? MaxMinutes { get; init; }

    /// <summary>Stop once the cumulative speedup of the kept changes reaches this (e.g. 1.5).</summary>
    public double? TargetSpeedup { get; init; }

    /// <summary>The ranked targets; null reads <c>.perfloop/bottlenecks.json</c> when it exists.</summary>
    public RankingSnapshot? Ranking { get; init; }

    /// <summary>Set the user's uncommitted changes aside (git stash) for the run and give them back at its end.</summary>
    public bool AllowDirty { get; init; }

    /// <summary>Run although perfloop.json has no guard (every row then says no_guard).</summary>
    public bool WithoutGuard { get; init; }

    /// <summary>Names the candidates (e.g. the patch folder); a run over the same source after an interruption resumes.</summary>
    public string? CandidateSource { get; init; }

    /// <summary>Skip a queued candidate whose strategy was rotated out, instead of judging it at the back of the queue.</summary>
    public bool SkipRotated { get; init; }
}

public sealed record SessionSummary(string RepositoryRoot, string ResultsPath, IReadOnlyList<ResultRow> Rows)
{
    public int Kept => Rows.Count(r => r.Status == ExperimentStatus.Keep);

    public int Experiments => Rows.Count(r => r.IsExperiment);

    /// <summary>Why the session stopped early; null when the candidates ran out.</summary>
    public StopDecision? Stop { get; init; }
}

/// <summary>
/// The autonomous loop: recover whatever a killed run left, calibrate the baseline, look for cross-domain signals,
/// then one experiment per candidate — each preceded by the history review and target choice, each followed by one
/// evaluation of the policies (rotation, plateau, stuck recovery, stopping, milestones) that every implementer is
/// guided by — and at the end learnings.md and HANDOFF.md. Every experiment ends in exactly one results row, and the
/// work tree is back at a clean HEAD after each one.
/// </summary>
public sealed class ExperimentSession(EngineServices services)
{
    ILoopReporter Reporter => services.Reporter;

    public async Task<SessionSummary> RunAsync(RunOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        await using var context = await ExperimentContext.OpenAsync(services, options.Directory, "perfloop run", cancellationToken);
        var pipeline = new ExperimentPipeline(context);
        var rows = new List<ResultRow>();
        // Recovery and the give-back below are short and not cancellable: a Ctrl-C must not split them half-way.
        if (await pipeline.RecoverAsync("the previous run was interrupted", CancellationToken.None) is { } recovered)
        {
            rows.Add(recovered);
        }

        // What a killed run left in the temp area goes too, before anything can be interrupted.
        await context.Repository.PruneWorktreesAsync(CancellationToken.None);

        if (SessionFiles.Pickup(context.Root) is { } pickup)
        {
            Reporter.Status($"[session] picked up {pickup}");
        }

        // Changes a killed run set aside come back first, onto the restored tree.
        if (await SetAsideWork.RestoreAsync(context.Repository, CancellationToken.None) is { } givenBack)
        {
            Reporter.Status($"[session] {givenBack.Message}");
        }

        await context.Repository.HeadAsync(cancellationToken);
        context.RequireGuardOrWaiver(options.WithoutGuard);
        if (options.AllowDirty && await SetAsideWork.SetAsideAsync(context.Repository, "perfloop run", services.Clock, CancellationToken.None) is { } setAside)
        {
            Reporter.Status($"[session] {setAside}");
        }

        try
        {
            return await RunSessionAsync(context, pipeline, options, rows, cancellationToken);
        }
        finally
        {
            // Also after Ctrl-C; after a failure mid-experiment the journal stays and the next command restores first.
            if (ExperimentJournal.Load(context.Root) is null && await SetAsideWork.RestoreAsync(context.Repository, CancellationToken.None) is { } back)
            {
                Reporter.Status($"[session] {back.Message}");
            }
        }
    }

    async Task<SessionSummary> RunSessionAsync(ExperimentContext context, ExperimentPipeline pipeline, RunOptions options, List<ResultRow> rows, CancellationToken cancellationToken)
    {
        var ledger = context.Ledger;
        var setup = context.Setup;
        await context.EnsureCleanAsync(cancellationToken);

        var previous = RunMarker.Load(context.Root);
        var resuming = options.CandidateSource is { } source && previous?.CandidateSource == source;
        var skip = resuming ? previous!.Recorded(ledger.Rows) : new CandidateTally([]);
        if (options.CandidateSource is { } candidateSource && !resuming)
        {
            new RunMarker(candidateSource, ledger.NextExperimentNumber, services.Clock.GetUtcNow()).Save(context.Root);
        }

        if (resuming)
        {
            Reporter.Status($"[session] resuming the interrupted run over {options.CandidateSource}: candidates it already recorded are skipped");
        }

        var baseline = ledger.Append(await Calibration.RunAsync(context, cancellationToken));
        rows.Add(baseline);
        var started = services.Clock.GetUtcNow();
        var ranking = options.Ranking ?? SessionFiles.LoadRanking(context.Root);
        if (ranking.Targets.Count > 0)
        {
            Reporter.Detail($"[session] bottleneck ranking: {ranking.Targets.Count} functions, top {ranking.Targets[0].Name} ({ranking.Targets[0].ImpactText})");
            await WarnIfStaleAsync(context, baseline.Commit, cancellationToken);
        }

        rows.AddRange(await EscalationStep.RunAsync(context, baseline, ranking, cancellationToken));

        PolicyInputs Inputs() => new()
        {
            Domain = setup.Domain,
            Settings = setup.Config.Policies,
            KeepThresholdPct = baseline.ThresholdPct ?? setup.ConfiguredThresholdPct,
            Ranking = ranking.Targets,
            TargetSpeedup = options.TargetSpeedup,
            MaxExperiments = options.MaxExperiments,
            MaxMinutes = options.MaxMinutes,
            Elapsed = services.Clock.GetUtcNow() - started,
        };

        // The one evaluation of the policies after each experiment: its events are recorded, and its advice guides the next candidate.
        var verdict = SessionPolicy.Evaluate(ledger.CurrentSession, Inputs());
        string? measuredCumulative = null;
        while (verdict.Stop is null)
        {
            var n = ledger.NextExperimentNumber;
            var review = await SessionFiles.ReadHistoryAsync(context.Repository, ledger.Rows, cancellationToken);
            var pick = TargetChoice.Choose(ranking.Targets, review);
            var guidance = ExperimentGuidance.Build(n, pick, review, verdict, ledger.CurrentSession, setup.Domain);
            var candidate = options.Implementer.NextCandidate(guidance);
            if (candidate is null)
            {
                break;
            }

            if (skip.TryConsume(candidate))
            {
                Reporter.Detail($"[session] skipping '{candidate.Summary}': already recorded by the interrupted run");
                options.Implementer.Advance();
                continue;
            }

            var rotatedOut = candidate.Strategy.Length > 0 && verdict.RotatedOut.Contains(candidate.Strategy, StringComparer.OrdinalIgnoreCase);
            if (rotatedOut && !options.SkipRotated && options.Implementer is IDeferringImplementer queue)
            {
                // Rotation steers what a generator tries next; a queue is a list the user asked to have judged, so its
                // candidate waits at the back (a keep may bring the strategy back) and is judged there.
                if (queue.Defer())
                {
                    Reporter.Status($"[session] '{candidate.Summary}' moved to the back of the queue: strategy '{candidate.Strategy}' was rotated out after repeated discards; it is judged after the others ({Errors.Mention.Input("skip-rotated")} skips such candidates)");
                    continue;
                }

                Reporter.Status($"[session] judging '{candidate.Summary}' from the back of the queue, though strategy '{candidate.Strategy}' is rotated out");
            }
            else if (rotatedOut)
            {
                rows.Add(Record(context, new PolicyEvent(PolicyEvents.Skip, candidate.Strategy, candidate.Summary,
                    $"skipped '{candidate.Summary}': strategy '{candidate.Strategy}' was rotated out after repeated discards (next strategy: {verdict.NextStrategy})")));
                options.Implementer.Advance();
                continue;
            }

            Reporter.Status($"{StatusLines.Prefix(n)} History: {review.Brief()}");
            candidate = Aim(candidate, ranking.Targets, pick);
            ResultRow row;
            try
            {
                row = await RunExperimentAsync(pipeline, options.Implementer, candidate, options.WithoutGuard, cancellationToken);
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl-C (or a step that failed because Ctrl-C cut it short): end the current experiment cleanly (tree
                // restored, row recorded) before stopping.
                await pipeline.RecoverAsync("interrupted by the user", CancellationToken.None);
                throw;
            }

            rows.Add(row);
            options.Implementer.Advance();
            if (row.Status == ExperimentStatus.Keep)
            {
                rows.AddRange(await AuditAsync(context, row, cancellationToken));
            }

            verdict = SessionPolicy.Evaluate(ledger.CurrentSession, Inputs());
            foreach (var policyEvent in verdict.Events)
            {
                rows.Add(Record(context, policyEvent));
            }

            if (verdict.MilestoneDue)
            {
                var session = ledger.CurrentSession;
                var milestone = await MilestoneStep.CutAsync(context, baseline.Commit, session.Count(r => r.Status == ExperimentStatus.Keep), session.Count(r => r.IsExperiment), cancellationToken);
                Reporter.Status(milestone.Line);
                measuredCumulative = milestone.Cumulative;
                rows.Add(Record(context, new PolicyEvent(PolicyEvents.Milestone, "", milestone.Branch, milestone.Line["[milestone] ".Length..]), print: false));
            }
        }

        var final = ledger.CurrentSession;
        var facts = new SessionFacts
        {
            Domain = setup.Domain.Name,
            Branch = await context.Repository.BranchAsync(cancellationToken) ?? "detached HEAD",
            Metric = context.JudgingMetric().Name,
            Unit = context.JudgingMetric().Unit,
            EndedAt = services.Clock.GetUtcNow(),
            Rows = final,
            Stop = verdict.Stop,
            MeasuredCumulative = measuredCumulative,
            Ranking = ranking.Targets,
            NextStrategy = verdict.NextStrategy,
            ReprofileHint = Profiling.ProfilingAdvice.Reprofile(setup.Config.Bench, context.Root),
        };
        SessionFiles.WriteSessionEnd(context.Root, facts);
        Reporter.Status(verdict.Stop is { } stop
            ? $"[session] Stopped: {stop.Rule} — {stop.Why}"
            : "[session] No candidates left.");
        Reporter.Status($"[session] {facts.Keeps.Count}/{final.Count(r => r.IsExperiment)} kept, cumulative {SessionPolicy.CumulativeSpeedup(facts.Keeps).ToString("0.###", CultureInfo.InvariantCulture)}x; learnings appended to .perfloop/learnings.md, handoff in .perfloop/HANDOFF.md");
        // A normal end, learnings and handoff written: the next run over these candidates starts over instead of resuming.
        RunMarker.Delete(context.Root);
        return new SessionSummary(context.Root, ledger.Path, rows) { Stop = verdict.Stop };
    }

    /// <summary>A ranking made at an older commit whose code a later commit touched measures code that is gone.</summary>
    async Task WarnIfStaleAsync(ExperimentContext context, string head, CancellationToken cancellationToken)
    {
        if (Ranking.BottlenecksFile.Load(context.Root) is not { HeadSha: { Length: > 0 } rankedAt } saved)
        {
            return;
        }

        var files = await context.Repository.FilesChangedOrNoneAsync(rankedAt, head, cancellationToken);
        if (saved.IsStale(head, files))
        {
            Reporter.Status($"[session] the bottleneck ranking was made at {CommitId.Abbreviate(rankedAt)} and later commits touched ranked code; targets are chosen from it anyway — for fresh shares, {Profiling.ProfilingAdvice.ForBench(context.Setup.Config.Bench, context.Root)}");
        }
    }

    /// <summary>Fills in what a candidate leaves open from the ranking: a target for an agent, category and impact for a patch.</summary>
    static CandidateInfo Aim(CandidateInfo candidate, IReadOnlyList<RankedTarget> ranking, TargetPick? pick)
    {
        var explicitTarget = candidate.Target.Length > 0 && candidate.Target != candidate.Summary;
        var ranked = explicitTarget ? TargetChoice.Match(ranking, candidate.Target) : pick?.Target;
        if (ranked is null)
        {
            return candidate;
        }

        return candidate with
        {
            Target = explicitTarget ? candidate.Target : (pick!.Description),
            Category = candidate.Category.Length > 0 ? candidate.Category : ranked.Category,
            EstimatedImpact = candidate.EstimatedImpact.Length > 0 ? candidate.EstimatedImpact : ranked.ImpactText,
        };
    }

    /// <summary>An event row carries the number of the experiment it follows.</summary>
    ResultRow Record(ExperimentContext context, PolicyEvent policyEvent, bool print = true)
    {
        if (print)
        {
            Reporter.Status(policyEvent.Line);
        }

        return context.Ledger.Append(policyEvent.ToRow(context.Ledger.LastNumber, services.Clock.GetUtcNow(), context.Setup.Domain.Name, context.JudgingMetric().Name));
    }

    async Task<IReadOnlyList<ResultRow>> AuditAsync(ExperimentContext context, ResultRow keep, CancellationToken cancellationToken)
    {
        // A KEEP is one commit on top of the commit it was measured against.
        var parent = await context.Repository.ParentAsync(keep.Commit, cancellationToken);
        var findings = await ConfigAuditStep.AuditAsync(context, parent, keep.Commit, cancellationToken);
        var path = Path.Combine(PerfloopPaths.Experiment(context.Root, keep.Experiment), "config-audit.md");
        await File.WriteAllTextAsync(path, ConfigAudit.ToMarkdown(keep.Experiment, findings), cancellationToken);
        var prefix = StatusLines.Prefix(keep.Experiment);
        if (findings.Count == 0)
        {
            Reporter.Detail($"{prefix} Config audit: no dead or inconsistent settings");
            return [];
        }

        Reporter.Status($"{prefix} Config audit: {findings.Count} finding(s) (written to {Path.GetRelativePath(context.Root, path)})");
        foreach (var finding in findings)
        {
            Reporter.Status($"{prefix}   {finding.Line}");
        }

        return [Record(context, new PolicyEvent(PolicyEvents.ConfigAudit, "", $"{findings.Count} finding(s)", string.Join("; ", findings.Select(f => f.Line))), print: false)];
    }

    static async Task<ResultRow> RunExperimentAsync(ExperimentPipeline pipeline, IImplementer implementer, CandidateInfo candidate, bool withoutGuard, CancellationToken cancellationToken)
    {
        var state = await pipeline.StartAsync(candidate, ExperimentDriver.Loop, withoutGuard, cancellationToken);
        string? feedback = null;
        while (true)
        {
            state = await pipeline.ImplementAsync(state, implementer, feedback, cancellationToken);
            state = await pipeline.CheckAsync(state, cancellationToken);
            state = await pipeline.BenchAsync(state, cancellationToken);
            state = await pipeline.GuardAsync(state, cancellationToken);
            var outcome = await pipeline.DecideAsync(state, implementer.MaxReworks, cancellationToken);
            if (outcome.ContinueWith is { } next)
            {
                feedback = outcome.Decision.Reason;
                state = next;
                continue;
            }

            return outcome.Row!;
        }
    }
}
