using Perfloop.Policies;

namespace Perfloop.Tests.Policies;

public class TargetChoiceTests
{
    static readonly RankedTarget External = new("System.Linq.Enumerable.Sum", null, 30, 30, "compute", 1.43, false, "outside the repository");
    static readonly RankedTarget Parse = new("App.Parser.Parse", "src/Parser.cs", 20, 25, "parsing", 1.33, true);
    static readonly RankedTarget Count = new("App.WordCounter.Count", "src/WordCounter.cs", 10, 15, "hashing", 1.18, true);

    static HistoryReview Review(IReadOnlyList<FocusArea>? focus = null, IReadOnlyList<AvoidedApproach>? avoid = null) =>
        new(focus ?? [], avoid ?? [], [], 0, 0);

    [Fact]
    public void Takes_the_top_optimizable_target_and_says_why()
    {
        var pick = TargetChoice.Choose([External, Parse, Count], Review());
        Assert.Equal(Parse, pick?.Target);
        Assert.Contains("after 1 not optimizable", pick!.Why);
        Assert.Equal("25% of time, ≤1.33x", pick.Target.ImpactText);
    }

    [Fact]
    public void Prefers_a_focus_area_within_the_top_few_and_skips_avoided_categories()
    {
        Assert.Equal(Count, TargetChoice.Choose([External, Parse, Count], Review(focus: [new("src/WordCounter.cs", false, 3)]))?.Target);
        Assert.Equal(Count, TargetChoice.Choose([External, Parse, Count], Review(avoid: [new("category", "parsing", 3, 0, "x")]))?.Target);
        Assert.Null(TargetChoice.Choose([External], Review()));
    }

    [Fact]
    public void Matches_a_candidate_target_by_name_or_file()
    {
        Assert.Equal(Count, TargetChoice.Match([Parse, Count], "App.WordCounter.Count"));
        Assert.Equal(Parse, TargetChoice.Match([Parse, Count], "src/Parser.cs"));
        Assert.Null(TargetChoice.Match([Parse, Count], "something else"));
    }

    [Fact]
    public void Reads_the_ranking_file_of_the_bottlenecks_schema()
    {
        const string json = """
            { "schema": "perfloop.bottlenecks/v1", "headSha": "abc",
              "functions": [ { "rank": 1, "function": "App.Parser.Parse", "file": "src/Parser.cs", "selfPercent": 20, "totalPercent": 25,
                               "ownPercent": 22, "category": "parsing", "amdahlBound": 1.33, "optimizable": true, "notOptimizableReason": null } ],
              "runtime": { "durationMs": 1000, "gcCount": 4, "gcPauseMs": 150, "allocationTickBytes": 1000000 } }
            """;
        var snapshot = RankingSnapshot.Parse(json);
        Assert.Equal(Parse with { NotOptimizableReason = null }, snapshot.Targets[0]);
        Assert.Equal(15, snapshot.Runtime!.GcPauseSharePct, 6);
        Assert.Throws<Perfloop.Errors.PerfloopException>(() => RankingSnapshot.Parse("""{ "schema": "other/v2" }"""));
    }
}
