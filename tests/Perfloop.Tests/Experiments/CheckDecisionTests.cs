using Perfloop.Experiments;
using Perfloop.Fidelity;
using Perfloop.Journal;

namespace Perfloop.Tests.Experiments;

public class CheckDecisionTests
{
    static readonly CheckEvidence Clean = new() { Paths = ["src/app.c"] };

    [Fact]
    public void A_candidate_that_passes_every_check_goes_on_to_the_benchmark() => Assert.Null(CheckDecision.Decide(Clean));

    [Fact]
    public void Each_check_ends_the_experiment_with_its_own_status_and_reason()
    {
        Assert.Equal(new EarlyOutcome(ExperimentStatus.Discard, "patch does not apply: x"), CheckDecision.Decide(new CheckEvidence { ImplementationProblem = "patch does not apply: x" }));
        Assert.StartsWith("touches Perfloop's own state: changed .perfloop/conventions.md and 1 more", CheckDecision.Decide(Clean with { TrustedFiles = [new("conventions.md", "changed"), new("results.tsv", "changed")] })!.Reason, StringComparison.Ordinal);
        Assert.Equal("the candidate changes nothing", CheckDecision.Decide(new CheckEvidence { Paths = [] })!.Reason);
        Assert.Equal("touches protected path tests/a.c (a test folder)", CheckDecision.Decide(Clean with { ProtectedPath = ("tests/a.c", "a test folder") })!.Reason);
        Assert.StartsWith("reaches outside the repository: link is", CheckDecision.Decide(Clean with { OutsideRepository = ("link", "a symlink to /etc") })!.Reason, StringComparison.Ordinal);
        Assert.Equal(new EarlyOutcome(ExperimentStatus.Crash, "build failed: exit code 2: x.c:3: error"), CheckDecision.Decide(Clean with { BuildFailure = "exit code 2: x.c:3: error" }));
        Assert.Equal("output mismatch: line 2", CheckDecision.Decide(Clean with { OutputDifference = "line 2" })!.Reason);
    }

    [Fact]
    public void The_checks_are_taken_in_the_order_they_run_so_the_first_problem_is_the_reason()
    {
        // Simulation over every combination: the reported problem is always the earliest one present.
        var problems = new Func<CheckEvidence, CheckEvidence>[]
        {
            e => e with { ImplementationProblem = "p0" },
            e => e with { TrustedFiles = [new("planted", "added")] },
            e => e with { Paths = [] },
            e => e with { ProtectedPath = ("tests/x", "p3") },
            e => e with { OutsideRepository = ("l", "p4") },
            e => e with { BuildFailure = "p5" },
            e => e with { Fidelity = new FidelityResult(FidelityVerdict.Failed, "p6") },
            e => e with { OutputDifference = "p7" },
        };
        string[] marks = ["p0", "planted", "changes nothing", "p3", "p4", "p5", "p6", "p7"];
        for (var mask = 1; mask < 1 << problems.Length; mask++)
        {
            var evidence = Clean;
            for (var i = 0; i < problems.Length; i++)
            {
                if ((mask & (1 << i)) != 0)
                {
                    evidence = problems[i](evidence);
                }
            }

            var first = Enumerable.Range(0, problems.Length).First(i => (mask & (1 << i)) != 0);
            Assert.Contains(marks[first], CheckDecision.Decide(evidence)!.Reason, StringComparison.Ordinal);
        }
    }
}
