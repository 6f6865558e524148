using Perfloop.Errors;
using Perfloop.Implementers;
using Perfloop.Ranking;

namespace Perfloop.Tests.Implementers;

public class AgentTargetsTests
{
    [Fact]
    public void The_line_format_takes_one_target_per_line_with_optional_fields()
    {
        var targets = AgentTargets.Parse("""
            # target | category | impact | strategy
            WordCounter.Count | algorithm | ~40% of runtime | data-structure

            Tokenizer.Split
            """, "targets.txt");

        Assert.Equal(2, targets.Count);
        Assert.Equal(new AgentTarget("WordCounter.Count", "algorithm", "~40% of runtime", "data-structure"), targets[0]);
        Assert.Equal(new AgentTarget("Tokenizer.Split", "", "", ""), targets[1]);
    }

    [Theory]
    [InlineData(" | algorithm", "line 1: the target is empty")]
    [InlineData("a | b | c | d | e", "line 1: 5 fields")]
    public void A_bad_line_is_one_clear_error_with_its_line_number(string text, string expected)
    {
        var error = Assert.Throws<PerfloopException>(() => AgentTargets.Parse(text, "targets.txt"));
        Assert.Contains("targets.txt: " + expected, error.Message, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, error.ExitCode);
    }

    [Fact]
    public void The_bottleneck_ranking_is_read_defensively_from_several_key_spellings()
    {
        var targets = AgentTargets.ParseBottlenecks("""
            {
              "schema": "perfloop.bottlenecks/v1",
              "bottlenecks": [
                { "function": "WordCounter.Count", "selfPct": 31.2, "totalPct": 48, "category": "algorithm", "impact": "up to 1.9x", "unknown": [1, 2] },
                { "name": "Tokenizer.Split", "self_pct": "12.5%", "total": 50, "kind": "allocation" },
                "ReportBuilder.Build",
              ]
            }
            """, "bottlenecks.json");

        Assert.Equal(3, targets.Count);
        Assert.Equal("WordCounter.Count", targets[0].Target);
        Assert.Equal("self 31.2%, total 48%", targets[0].ProfileShare);
        Assert.Equal("up to 1.9x", targets[0].EstimatedImpact);
        Assert.Equal("allocation", targets[1].Category);
        Assert.Equal(12.5, targets[1].SelfPct);
        // Without a stated impact the Amdahl bound of the total share stands in: all of 50% removed → 2x.
        Assert.Equal("at most 2x (Amdahl, 50% of the run)", targets[1].EstimatedImpact);
        Assert.Equal(new AgentTarget("ReportBuilder.Build", "", "", ""), targets[2]);
    }

    [Theory]
    [InlineData("[{\"selfPct\": 3}]", "entry 0: no target name")]
    [InlineData("{\"other\": []}", "no list of entries")]
    [InlineData("[{\"function\": ", "not valid JSON")]
    public void A_bad_ranking_is_one_clear_error(string json, string expected)
    {
        var error = Assert.Throws<PerfloopException>(() => AgentTargets.ParseBottlenecks(json, "bottlenecks.json"));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_targets_file_the_ranking_gives_its_own_code_and_without_either_the_error_names_both()
    {
        var root = Directory.CreateTempSubdirectory("perfloop-targets-").FullName;
        try
        {
            var error = Assert.Throws<PerfloopException>(() => AgentTargets.Resolve(null, root));
            Assert.Contains("--targets FILE", Perfloop.Errors.Mention.ForCommandLine(error.Message), StringComparison.Ordinal);
            Assert.Contains("bottlenecks.json", error.Message, StringComparison.Ordinal);

            var now = DateTimeOffset.UtcNow;
            var ranking = new BottleneckRanking(BottleneckRanking.SchemaVersion, now, null, null,
                new ProfileInfo("app.folded", ProfileFormat.Folded, now, "samples", 100, 3, []),
                [
                    new RankedFunction(1, "Hot.Path", "src/Hot.cs", null, 30, 40, 35, "algorithm", 1 / 0.6, true, null),
                    new RankedFunction(2, "System.Linq.Enumerable.ToList", null, "System.Linq", 20, 20, 20, "allocation", 1.25, false, "runtime code"),
                ],
                null);
            await BottlenecksFile.WriteAsync(root, ranking);
            var target = Assert.Single(AgentTargets.Resolve(null, root));
            Assert.Equal("Hot.Path", target.Target);
            Assert.Equal("src/Hot.cs", target.File);
            Assert.Equal("at most 1.67x (Amdahl, 40% of the run)", target.EstimatedImpact);
            Assert.Equal("self 30%, total 40%", target.ProfileShare);

            var file = Path.Combine(root, "targets.txt");
            File.WriteAllText(file, "Other.Path | io\n");
            Assert.Equal("Other.Path", Assert.Single(AgentTargets.Resolve(file, root)).Target);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
