using Perfloop.Ranking;

namespace Perfloop.Tests.Ranking;

public class BottleneckRankerTests
{
    [Theory]
    [InlineData("microseconds", 826028.199, "826 ms")]
    [InlineData("nanoseconds", 1_500_000_000.0, "1500 ms")]
    [InlineData("milliseconds", 12.34, "12.3 ms")]
    [InlineData("samples", 235.0, "235 samples")]
    public void A_profile_s_total_reads_in_milliseconds_or_its_own_unit(string unit, double total, string expected) =>
        Assert.Equal(expected, new ProfileInfo("p", ProfileFormat.Folded, DateTimeOffset.UnixEpoch, unit, total, 1, []).TotalInWords());

    [Fact]
    public void Self_and_total_percent_come_from_leaves_and_whole_stacks()
    {
        var ranking = TestProfiles.Rank(TestProfiles.Folded(
            "main;parse;tokenize 30",
            "main;parse 10",
            "main;render 60"));

        var parse = ranking.Function("parse");
        Assert.Equal(10, parse.SelfPercent, 9);
        Assert.Equal(40, parse.TotalPercent, 9);
        Assert.Equal(30, ranking.Function("tokenize").SelfPercent, 9);
        Assert.Equal(100, ranking.Function("main").TotalPercent, 9);
        Assert.Equal(0, ranking.Function("main").SelfPercent, 9);
        Assert.Equal(100, ranking.Functions.Sum(f => f.SelfPercent), 9);
    }

    [Fact]
    public void Recursion_counts_once_in_total()
    {
        var ranking = TestProfiles.Rank(TestProfiles.Folded(
            "main;walk;walk;walk;visit 50",
            "main;other 50"));

        var walk = ranking.Function("walk");
        Assert.Equal(50, walk.TotalPercent, 9);
        Assert.Equal(2.0, walk.AmdahlBound!.Value, 9);
    }

    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(0.5, 2.0)]
    [InlineData(0.75, 4.0)]
    [InlineData(0.9, 10.0)]
    public void Amdahl_bound_is_one_over_the_remaining_share(double share, double expected)
    {
        Assert.Equal(expected, BottleneckRanker.AmdahlBound(share)!.Value, 9);
    }

    [Fact]
    public void Amdahl_bound_is_unbounded_for_a_function_on_every_sample()
    {
        Assert.Null(BottleneckRanker.AmdahlBound(1.0));
        Assert.Null(TestProfiles.Rank(TestProfiles.Folded("main;a 1", "main;b 1")).Function("main").AmdahlBound);
        Assert.Throws<ArgumentOutOfRangeException>(() => BottleneckRanker.AmdahlBound(1.5));
    }

    [Fact]
    public void Weights_are_honoured_not_just_line_counts()
    {
        var ranking = TestProfiles.Rank(TestProfiles.Folded("main;a 1", "main;b 3"));

        Assert.Equal(75, ranking.Function("b").SelfPercent, 9);
    }

    [Fact]
    public void Time_in_outside_code_counts_for_the_innermost_own_function_that_called_it()
    {
        // count_word spends its time in libc's strcmp: the fix belongs in count_word.
        var ranking = TestProfiles.Rank(TestProfiles.Folded(
            "main;count_word;__strcmp_avx2 60",
            "main;is_prime 40"));

        var targets = ranking.Targets.ToList();
        Assert.Equal("count_word", targets[0].Function);
        Assert.Equal(60, targets[0].OwnPercent, 9);
        Assert.Equal(0, targets[0].SelfPercent, 9);
        Assert.Equal("string", targets[0].Category);
        Assert.Equal("is_prime", targets[1].Function);
        Assert.Equal("compute", targets[1].Category);
        var strcmp = ranking.Function("__strcmp_avx2");
        Assert.False(strcmp.Optimizable);
        Assert.NotNull(strcmp.NotOptimizableReason);
        Assert.DoesNotContain(strcmp, ranking.Targets);
    }

    [Fact]
    public void Targets_come_before_outside_code_whatever_its_self_time()
    {
        var ranking = TestProfiles.Rank(TestProfiles.Folded(
            "main;work;System.String.Concat 90",
            "main;tiny 10"));

        Assert.True(ranking.Functions[0].Optimizable);
        Assert.Equal(Enumerable.Range(1, ranking.Functions.Count), ranking.Functions.Select(f => f.Rank));
        var firstExternal = ranking.Functions.ToList().FindIndex(f => !f.Optimizable);
        Assert.All(ranking.Functions.Skip(firstExternal), f => Assert.False(f.Optimizable));
    }

    [Fact]
    public void Files_inside_the_repository_are_targets_and_files_outside_are_not()
    {
        var root = Path.Combine(Path.GetTempPath(), "perfloop-repo");
        var profile = TestProfiles.Folded(
            $"main ({root}/app.py:1);load ({root}/app.py:9);loads (/usr/lib/python3.11/json/__init__.py:346) 70",
            $"main ({root}/app.py:1);helper (/opt/elsewhere/lib.py:3) 30");

        var ranking = TestProfiles.Rank(profile, root);

        var load = ranking.Function("load");
        Assert.True(load.Optimizable);
        Assert.Equal("app.py", load.File);
        Assert.Equal(70, load.OwnPercent, 9);
        Assert.Equal("serialization", ranking.Function("loads").Category);
        Assert.False(ranking.Function("loads").Optimizable);
        Assert.Contains("outside the repository", ranking.Function("helper").NotOptimizableReason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_dotnet_exporter_module_prefix_is_split_and_framework_modules_are_external()
    {
        var ranking = TestProfiles.Rank(TestProfiles.Folded(
            "Demo!Program.Main(class System.String[]);Demo!Demo.WordCounter+<>c__DisplayClass0_0.<Count>b__0(value class Demo.WordCount);System.Private.CoreLib!System.String.op_Equality(class System.String,class System.String) 5",
            "Demo!Program.Main(class System.String[]);Demo!Demo.WordCounter.Count(class System.Collections.Generic.IReadOnlyList`1<class System.String>) 5"));

        var count = ranking.Function("Demo.WordCounter.Count");
        Assert.Equal("Demo", count.Module);
        Assert.Equal(100, count.OwnPercent, 9); // the lambda is folded into the method that holds it
        Assert.Equal("runtime/framework code (System.Private.CoreLib)", ranking.Function("System.String.op_Equality").NotOptimizableReason);
    }
}
