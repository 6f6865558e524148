using System.Globalization;
using Perfloop.Configuration;
using Perfloop.Implementers;
using Perfloop.Journal;
using Perfloop.Policies;
using Perfloop.Processes;
using Perfloop.Safety;

namespace Perfloop.Experiments;

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

    /// <summary>Names the candidates (e.g. the patch folder); a run over the same source after an interruption resumes.</summary>
    public string? CandidateSource { get; init; }
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
/// then one experiment per candidate — each preceded by the history review and target choice, each followed by the
/// policies (rotation, plateau, stuck recovery, stopping, milestones) — and at the end learnings.md and HANDOFF.md.
/// Every experiment ends in exactly one results row, and the work tree is back at a clean HEAD after each one.
/// </summary>
public sealed class ExperimentSession(IProcessRunner runner, ILoopReporter reporter, TimeProvider clock)
{
    public async Task<SessionSummary> RunAsync(RunOptions options, CancellationToken cancellationToken)
    {
        await using var workspace = await Workspace.OpenAsync(runner, reporter, clock, options.Directory, cancellationToken);
        using var repositoryLock = RepositoryLock.Acquire(workspace.Root, "perfloop run");
        if (repositoryLock.TakeOverNotice is { } notice)
        {
            reporter.Status($"[session] {notice}");
        }

        var steps = new ExperimentSteps(workspace);
        var rows = new List<ResultRow>();
        // Recovery and the give-back below are short and not cancellable: a Ctrl-C must not split them half-way.
        if (await steps.RecoverAsync("the previous run was interrupted", CancellationToken.None) is { } recovered)
        {
            rows.Add(recovered);
        }

        // What a killed run left in the temp area goes too, before anything can be interrupted.
        await workspace.Repository.PruneWorktreesAsync(CancellationToken.None);
        if (SessionEnd.Pickup(workspace.Root) is { } pickup)
        {
            reporter.Status($"[session] picked up {pickup}");
        }

        // Changes a killed run set aside come back first, onto the restored tree.
        if (await SetAsideWork.RestoreAsync(workspace.Repository, CancellationToken.None) is { } givenBack)
        {
            reporter.Status($"[session] {givenBack.Message}");
        }

        await workspace.Repository.HeadAsync(cancellationToken);
        if (options.AllowDirty && await SetAsideWork.SetAsideAsync(workspace.Repository, "perfloop run", clock, CancellationToken.None) is { } setAside)
        {
            reporter.Status($"[session] {setAside}");
        }

        try
        {
            return await RunSessionAsync(workspace, steps, options, rows, cancellationToken);
        }
        finally
        {
            // Also after Ctrl-C; after a failure mid-experiment the journal stays and the next command restores first.
            if (ExperimentJournal.Load(workspace.Root) is null && await SetAsideWork.RestoreAsync(workspace.Repository, CancellationToken.None) is { } back)
            {
                reporter.Status($"[session] {back.Message}");
            }
        }
    }

    async Task<SessionSummary> RunSessionAsync(Workspace workspace, ExperimentSteps steps, RunOptions options, List<ResultRow> rows, CancellationToken cancellationToken)
    {
        await workspace.EnsureCleanAsync(cancellationToken);

        var previous = RunMarker.Load(workspace.Root);
        var resuming = options.CandidateSource is { } source && previous?.CandidateSource == source;
        var skip = resuming ? previous!.Recorded(workspace.Rows()) : new CandidateTally([]);
        if (options.CandidateSource is { } candidateSource && !resuming)
        {
            new RunMarker(candidateSource, workspace.NextExperimentNumber(), clock.GetUtcNow()).Save(workspace.Root);
        }

        if (resuming)
        {
            reporter.Status($"[session] resuming the interrupted run over {options.CandidateSource}: candidates it already recorded are skipped");
        }

        var baseline = await workspace.CalibrateAsync(cancellationToken);
        rows.Add(baseline);
        var started = clock.GetUtcNow();
        var ranking = options.Ranking ?? RankingSnapshot.Load(workspace.Root);
        if (ranking.Targets.Count > 0)
        {
            reporter.Detail($"[session] bottleneck ranking: {ranking.Targets.Count} functions, top {ranking.Targets[0].Name} ({ranking.Targets[0].ImpactText})");
            await WarnIfStaleAsync(workspace, baseline.Commit, cancellationToken);
        }

        rows.AddRange(await EscalationCheck.RunAsync(workspace, baseline, ranking, cancellationToken));

        PolicyInputs Inputs() => new()
        {
            Domain = workspace.Domain,
            Settings = workspace.Config.Policies,
            KeepThresholdPct = baseline.ThresholdPct ?? workspace.ConfiguredThresholdPct,
            Ranking = ranking.Targets,
            TargetSpeedup = options.TargetSpeedup,
            MaxExperiments = options.MaxExperiments,
            MaxMinutes = options.MaxMinutes,
            Elapsed = clock.GetUtcNow() - started,
        };

        var verdict = SessionPolicy.Evaluate(SessionPolicy.CurrentSession(workspace.Rows()), Inputs());
        string? measuredCumulative = null;
        while (verdict.Stop is null)
        {
            var candidate = options.Implementer.Peek();
            if (candidate is null)
            {
                break;
            }

            if (skip.TryConsume(candidate))
            {
                reporter.Detail($"[session] skipping '{candidate.Summary}': already recorded by the interrupted run");
                options.Implementer.Advance();
                continue;
            }

            var n = workspace.NextExperimentNumber();
            var sessionRows = SessionPolicy.CurrentSession(workspace.Rows());
            if (candidate.Strategy.Length > 0 && verdict.RotatedOut.Contains(candidate.Strategy, StringComparer.OrdinalIgnoreCase))
            {
                // A patch queue cannot change strategy; its candidates of a rotated-out strategy wait for a keep.
                rows.Add(Record(workspace, n - 1, new PolicyEvent(PolicyEvents.Skip, candidate.Strategy, candidate.Summary,
                    $"skipped '{candidate.Summary}': strategy '{candidate.Strategy}' was rotated out after repeated discards (next strategy: {verdict.NextStrategy})")));
                options.Implementer.Advance();
                continue;
            }

            var review = await HistoryReview.ReadAsync(workspace.Repository, workspace.Rows(), HistoryReview.DefaultThreshold, cancellationToken);
            reporter.Status($"{StatusLines.Prefix(n)} History: {review.Brief()}");
            var pick = TargetChoice.Choose(ranking.Targets, review);
            candidate = Aim(candidate, ranking.Targets, pick);
            if (options.Implementer is IGuidedImplementer guided)
            {
                guided.Guide(ExperimentGuidance.Build(n, pick, review, verdict, sessionRows, workspace.Domain));
            }

            ResultRow row;
            try
            {
                row = await RunExperimentAsync(steps, options.Implementer, candidate, cancellationToken);
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl-C (or a step that failed because Ctrl-C cut it short): end the current experiment cleanly (tree
                // restored, row recorded) before stopping.
                await steps.RecoverAsync("interrupted by the user", CancellationToken.None);
                throw;
            }

            rows.Add(row);
            options.Implementer.Advance();
            if (row.Status == ExperimentStatus.Keep)
            {
                rows.AddRange(await AuditAsync(workspace, row, cancellationToken));
            }

            verdict = SessionPolicy.Evaluate(SessionPolicy.CurrentSession(workspace.Rows()), Inputs());
            foreach (var policyEvent in verdict.Events)
            {
                rows.Add(Record(workspace, row.Experiment, policyEvent));
            }

            if (verdict.MilestoneDue)
            {
                var session = SessionPolicy.CurrentSession(workspace.Rows());
                var milestone = await Milestones.CutAsync(workspace, baseline.Commit, session.Count(r => r.Status == ExperimentStatus.Keep), session.Count(r => r.IsExperiment), cancellationToken);
                reporter.Status(milestone.Line);
                measuredCumulative = milestone.Cumulative;
                rows.Add(Record(workspace, row.Experiment, new PolicyEvent(PolicyEvents.Milestone, "", milestone.Branch, milestone.Line["[milestone] ".Length..]), print: false));
            }
        }

        var final = SessionPolicy.CurrentSession(workspace.Rows());
        var facts = new SessionFacts
        {
            Domain = workspace.Domain.Name,
            Branch = await workspace.Repository.BranchAsync(cancellationToken) ?? "detached HEAD",
            Metric = workspace.Metric,
            Unit = workspace.Unit,
            EndedAt = clock.GetUtcNow(),
            Rows = final,
            Stop = verdict.Stop,
            MeasuredCumulative = measuredCumulative,
            Ranking = ranking.Targets,
            NextStrategy = verdict.NextStrategy,
        };
        SessionEnd.Write(workspace.Root, facts);
        reporter.Status(verdict.Stop is { } stop
            ? $"[session] Stopped: {stop.Rule} — {stop.Why}"
            : "[session] No candidates left.");
        reporter.Status($"[session] {facts.Keeps.Count}/{final.Count(r => r.IsExperiment)} kept, cumulative {SessionPolicy.CumulativeSpeedup(facts.Keeps).ToString("0.###", CultureInfo.InvariantCulture)}x; learnings appended to .perfloop/learnings.md, handoff in .perfloop/HANDOFF.md");
        // A normal end, learnings and handoff written: the next run over these candidates starts over instead of resuming.
        RunMarker.Delete(workspace.Root);
        return new SessionSummary(workspace.Root, PerfloopPaths.Results(workspace.Root), rows) { Stop = verdict.Stop };
    }

    /// <summary>A ranking made at an older commit whose code a later commit touched measures code that is gone.</summary>
    async Task WarnIfStaleAsync(Workspace workspace, string head, CancellationToken cancellationToken)
    {
        if (Ranking.BottlenecksFile.Load(workspace.Root) is not { HeadSha: { Length: > 0 } rankedAt } saved)
        {
            return;
        }

        var touched = await workspace.Repository.Git.TryRunAsync(["diff", "--name-only", "--no-renames", rankedAt, head], cancellationToken);
        var files = touched.Succeeded ? touched.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries) : [];
        if (saved.IsStale(head, files))
        {
            reporter.Status($"[session] the bottleneck ranking was made at {Workspace.Abbreviate(rankedAt)} and later commits touched ranked code; targets are chosen from it anyway — rebuild it with 'perfloop profile -- CMD' for fresh shares");
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

    ResultRow Record(Workspace workspace, int experiment, PolicyEvent policyEvent, bool print = true)
    {
        if (print)
        {
            reporter.Status(policyEvent.Line);
        }

        var row = policyEvent.ToRow(Math.Max(0, experiment), clock.GetUtcNow(), workspace.Domain.Name, workspace.Metric);
        ResultsTable.Append(workspace.ResultsPath, row);
        return row;
    }

    async Task<IReadOnlyList<ResultRow>> AuditAsync(Workspace workspace, ResultRow keep, CancellationToken cancellationToken)
    {
        // A KEEP is one commit on top of the commit it was measured against.
        var parent = (await workspace.Repository.Git.RunAsync(["rev-parse", keep.Commit + "^"], cancellationToken)).Trim();
        var findings = await ConfigAuditor.AuditAsync(workspace, parent, keep.Commit, cancellationToken);
        var path = Path.Combine(PerfloopPaths.Experiment(workspace.Root, keep.Experiment), "config-audit.md");
        await File.WriteAllTextAsync(path, ConfigAudit.ToMarkdown(keep.Experiment, findings), cancellationToken);
        var prefix = StatusLines.Prefix(keep.Experiment);
        if (findings.Count == 0)
        {
            reporter.Detail($"{prefix} Config audit: no dead or inconsistent settings");
            return [];
        }

        reporter.Status($"{prefix} Config audit: {findings.Count} finding(s) (written to {Path.GetRelativePath(workspace.Root, path)})");
        foreach (var finding in findings)
        {
            reporter.Status($"{prefix}   {finding.Line}");
        }

        return [Record(workspace, keep.Experiment, new PolicyEvent(PolicyEvents.ConfigAudit, "", $"{findings.Count} finding(s)", string.Join("; ", findings.Select(f => f.Line))), print: false)];
    }

    static async Task<ResultRow> RunExperimentAsync(ExperimentSteps steps, IImplementer implementer, CandidateInfo candidate, CancellationToken cancellationToken)
    {
        var state = await steps.StartAsync(candidate, ExperimentDriver.Loop, cancellationToken);
        string? feedback = null;
        while (true)
        {
            state = await steps.ImplementAsync(state, implementer, feedback, cancellationToken);
            state = await steps.CheckAsync(state, cancellationToken);
            state = await steps.BenchAsync(state, cancellationToken);
            state = await steps.GuardAsync(state, cancellationToken);
            var outcome = await steps.DecideAsync(state, implementer.MaxReworks, cancellationToken);
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
