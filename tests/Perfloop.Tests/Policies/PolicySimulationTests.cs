using System.Diagnostics;
using Perfloop.Configuration;
using Perfloop.Journal;
using Perfloop.Policies;

namespace Perfloop.Tests.Policies;

/// <summary>
/// Thousands of generated sessions (random outcomes, strategies that follow the rotation advice or not, random
/// settings) run through the policies exactly as the loop does; invariants are checked after every step.
/// </summary>
public class PolicySimulationTests
{
    sealed record Session(List<ResultRow> Rows, List<(int Step, PolicyEvent Event)> Events, StopDecision? Stop);

    static Session Simulate(Random random, PolicySettings settings, double keepProbability, bool followAdvice, int maxSteps, IReadOnlyList<RankedTarget> ranking)
    {
        var domain = Domains.Domains.Cpu;
        var rows = new List<ResultRow> { Rows.Baseline() };
        var events = new List<(int, PolicyEvent)>();
        var inputs = new PolicyInputs { Domain = domain, Settings = settings, KeepThresholdPct = 5, Ranking = ranking };
        var verdict = SessionPolicy.Evaluate(rows, inputs);
        for (var step = 1; step <= maxSteps && verdict.Stop is null; step++)
        {
            var strategy = followAdvice && verdict.NextStrategy is { } next && random.NextDouble() < 0.8
                ? next
                : domain.RotationOrder[random.Next(random.NextDouble() < 0.5 ? 2 : domain.RotationOrder.Count)];
            var row = random.NextDouble() < keepProbability
                ? Rows.Keep(step, strategy, delta: -(5 + (random.NextDouble() * 30)))
                : Rows.Discard(step, strategy);
            rows.Add(row);
            verdict = SessionPolicy.Evaluate(rows, inputs);
            foreach (var e in verdict.Events)
            {
                events.Add((step, e));
                rows.Add(e.ToRow(step, row.Timestamp, "cpu", "wall_ms"));
            }

            if (verdict.MilestoneDue)
            {
                rows.Add(new PolicyEvent(PolicyEvents.Milestone, "", "v", "v").ToRow(step, row.Timestamp, "cpu", "wall_ms"));
            }

            CheckStepInvariants(rows, verdict, settings);
        }

        return new Session(rows, events, verdict.Stop);
    }

    /// <summary>What must hold after every step, whatever happened before.</summary>
    static void CheckStepInvariants(List<ResultRow> rows, PolicyVerdict verdict, PolicySettings settings)
    {
        var experiments = rows.Where(r => r.IsExperiment).ToList();
        var trailing = experiments.AsEnumerable().Reverse().TakeWhile(r => r.Status != ExperimentStatus.Keep).ToList();
        foreach (var e in verdict.Events)
        {
            switch (e.Kind)
            {
                case PolicyEvents.Rotate:
                    // Never rotate before N consecutive discards of that strategy.
                    var same = trailing.TakeWhile(r => r.Strategy == e.Strategy).Count();
                    Assert.True(same >= settings.RotateAfter, $"rotated {e.Strategy} after {same} discards");
                    Assert.Equal(e.Strategy, experiments[^1].Strategy);
                    break;
                case PolicyEvents.Stuck:
                    Assert.True(trailing.Count >= settings.StuckAfter, $"stuck after {trailing.Count} discards");
                    break;
                case PolicyEvents.PlateauCheck or PolicyEvents.Plateau:
                    Assert.True(trailing.Count >= settings.PlateauAfter);
                    break;
            }
        }

        // Every event fires once per streak: no duplicate of a kind since the last keep. (A rotation may repeat when
        // the implementer went back to a rotated-out strategy for another full run; the check above covers it.)
        var lastKeep = rows.FindLastIndex(r => r.Status == ExperimentStatus.Keep);
        var streakEvents = rows.Skip(lastKeep + 1).Where(r => r.Status == ExperimentStatus.Event && r.Target is not PolicyEvents.Milestone and not PolicyEvents.Rotate).ToList();
        var duplicates = streakEvents.GroupBy(r => (r.Target, r.Strategy)).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicates.Count > 0)
        {
            Assert.Fail($"duplicate events in one streak: {string.Join(", ", duplicates)}; rows: {string.Join(" ", rows.Select(r => r.Status == ExperimentStatus.Event ? $"[{r.Target}:{r.Strategy}]" : $"{r.Status}:{r.Strategy}"))}");
        }

        var keeps = experiments.Count(r => r.Status == ExperimentStatus.Keep);
        if (verdict.MilestoneDue)
        {
            Assert.Equal(0, keeps % settings.MilestoneEvery);
            Assert.Equal(ExperimentStatus.Keep, rows[lastKeep].Status);
        }
    }

    [Fact]
    public void Thousands_of_generated_sessions_keep_the_invariants()
    {
        var random = new Random(20261126);
        var clock = Stopwatch.StartNew();
        var stuckStops = 0;
        const int Sessions = 2000;
        for (var i = 0; i < Sessions; i++)
        {
            var settings = new PolicySettings
            {
                RotateAfter = random.Next(2, 5),
                PlateauAfter = random.Next(2, 5),
                StuckAfter = random.Next(4, 8),
                StuckGrace = random.Next(1, 5),
                MilestoneEvery = random.Next(3, 6),
                StallWindow = random.Next(8, 30),
            };
            var session = Simulate(random, settings, random.NextDouble() * 0.5, random.NextDouble() < 0.5, 40, []);
            var experiments = session.Rows.Where(r => r.IsExperiment).ToList();

            // After stuck recovery without improvement the session stops within the grace period.
            var stuck = session.Events.FirstOrDefault(e => e.Event.Kind == PolicyEvents.Stuck);
            if (stuck.Event is not null)
            {
                var after = experiments.Where(r => r.Experiment > stuck.Step).ToList();
                if (after.Take(settings.StuckGrace).All(r => r.Status != ExperimentStatus.Keep) && after.Count >= settings.StuckGrace)
                {
                    Assert.NotNull(session.Stop);
                    Assert.True(experiments[^1].Experiment - stuck.Step <= settings.StuckGrace,
                        $"stopped {experiments[^1].Experiment - stuck.Step} experiments after stuck recovery (grace {settings.StuckGrace})");
                    stuckStops += session.Stop!.Rule == PolicyEvents.Stuck ? 1 : 0;
                }
            }

            // A stop is recorded exactly once, as the last thing of the session.
            if (session.Stop is not null)
            {
                var stops = session.Rows.Count(r => r.Status == ExperimentStatus.Event && (r.Target == PolicyEvents.Stop || r.Target == PolicyEvents.Plateau));
                Assert.Equal(1, stops);
            }
        }

        Assert.True(stuckStops > 50, $"only {stuckStops} sessions exercised the stuck stop");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"{Sessions} sessions took {clock.Elapsed}");
    }

    [Fact]
    public void A_plateau_stop_only_happens_when_the_top_candidates_are_all_non_optimizable()
    {
        var random = new Random(7);
        for (var i = 0; i < 1000; i++)
        {
            var ranking = Enumerable.Range(0, 4).Select(k => new RankedTarget(
                $"F{k}", $"src/F{k}.cs", 1, random.NextDouble() < 0.5 ? random.NextDouble() * 4 : 10 + (random.NextDouble() * 50), "compute", null,
                random.NextDouble() < 0.7, "outside the repository")).ToList();
            var settings = new PolicySettings { StuckAfter = 100, StallWindow = 1000 };
            var session = Simulate(random, settings, 0.2, false, 30, ranking);
            var inputs = new PolicyInputs { Domain = Domains.Domains.Cpu, Settings = settings, KeepThresholdPct = 5, Ranking = ranking };
            var top = ranking.Take(3).Select(t => SessionPolicy.NonOptimizable(t, [], inputs)).ToList();
            if (session.Stop?.Rule == PolicyEvents.Plateau)
            {
                Assert.All(top, why => Assert.NotNull(why));
            }
            else if (top.All(why => why is not null) && session.Rows.Count(r => r.IsExperiment) >= settings.PlateauAfter)
            {
                // It must have stopped at the first plateau check, unless a keep came first every time.
                Assert.Contains(session.Rows, r => r.Status == ExperimentStatus.Keep);
            }
        }
    }
}
