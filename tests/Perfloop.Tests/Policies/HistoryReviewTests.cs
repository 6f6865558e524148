using Perfloop.Journal;
using Perfloop.Policies;

namespace Perfloop.Tests.Policies;

public class HistoryReviewTests
{
    static string Record(string sha, string subject, string trailers, params string[] files) =>
        $"\x1e{sha}\x1f{subject}\x1f{trailers}\x1f\n\n{string.Concat(files.Select(f => $"3\t1\t{f}\n"))}";

    [Fact]
    public void Parses_the_one_git_log_call_with_trailers_and_numstat()
    {
        var output = Record("aaa", "Use a dictionary", "Target: WordCounter.Count\nStrategy: data-structure\nPerfloop-Experiment: 3\nPerfloop-Metric: wall_ms 300.0ms → 150.0ms (−50.0%, 95% CI −52.0…−48.0%, 10 runs)\n", "src/WordCounter.cs", "src/Util.cs")
            + Record("bbb", "Binary", "Perfloop-Experiment: 2\n", "img.png");
        var commits = HistoryReview.ParseLog(output);
        Assert.Equal(2, commits.Count);
        Assert.Equal(["src/WordCounter.cs", "src/Util.cs"], commits[0].Files);
        Assert.Equal("data-structure", commits[0].Trailers["Strategy"]);
        Assert.Equal(-50.0, HistoryReview.DeltaOfMetricTrailer(commits[0].Trailers["Perfloop-Metric"]));
        Assert.Contains("--numstat", HistoryReview.GitLogArguments(null));
    }

    [Fact]
    public void Three_improving_commits_on_a_file_make_it_a_focus_and_spread_ones_make_a_directory_focus()
    {
        var commits = new List<ExperimentCommit>
        {
            new("c1", "a", new Dictionary<string, string>(), ["src/WordCounter.cs"]),
            new("c2", "b", new Dictionary<string, string>(), ["src/WordCounter.cs", "lib/a.cs"]),
            new("c3", "c", new Dictionary<string, string>(), ["src/WordCounter.cs", "lib/b.cs"]),
            new("c4", "d", new Dictionary<string, string>(), ["lib/c.cs"]),
            new("c5", "e", new Dictionary<string, string>(), ["README.md"]),
        };
        var review = HistoryReview.Build(commits, []);
        Assert.Contains(review.Focus, f => f.Path == "src/WordCounter.cs" && f.ImprovingCommits == 3);
        Assert.Contains(review.Focus, f => f.Path == "lib/" && f.IsDirectory && f.ImprovingCommits == 3);
        Assert.DoesNotContain(review.Focus, f => f.Path == "src/");
        Assert.DoesNotContain(review.Focus, f => f.Path == "README.md");
        Assert.True(review.InFocus("src/WordCounter.cs", "WordCounter.Count"));
        Assert.StartsWith("focus src/WordCounter.cs (3 improving commits)", review.Brief());
    }

    [Fact]
    public void Approaches_that_failed_three_times_are_avoided_and_kept_techniques_listed_with_figures()
    {
        ResultRow[] rows =
        [
            Rows.Baseline(), Rows.Discard(1, "caching"), Rows.Discard(2, "caching"), Rows.Keep(3, "algorithm", -48, commit: "k3"),
            Rows.Discard(4, "caching", reason: "regression: +3%"), Rows.Discard(5, "loops"), Rows.Discard(6, "loops"),
        ];
        var review = HistoryReview.Build([], rows);
        var avoid = Assert.Single(review.Avoid, a => a.Kind == "strategy");
        Assert.Equal(("caching", 3, "regression: +3%"), (avoid.Name, avoid.Failures, avoid.LastReason));
        Assert.True(review.Avoids("category", "caching"));
        Assert.False(review.Avoids("strategy", "loops"));
        var technique = Assert.Single(review.Techniques);
        Assert.Equal(-48, technique.DeltaPct);
        Assert.Contains("avoid target Parser.Parse (5 discards), strategy caching (3 discards)", review.Brief());
        Assert.Contains("worked: keep 3 (algorithm, −48%)", review.Brief());
        Assert.Contains("### Avoid (failed 3+ times)", review.ToMarkdown());
    }

    [Fact]
    public void Commits_without_results_rows_still_teach_techniques()
    {
        var commits = new List<ExperimentCommit>
        {
            new("abc", "Cache the regex", new Dictionary<string, string> { ["Strategy"] = "caching", ["Perfloop-Metric"] = "wall_ms 10ms → 8ms (−20.0%, 95% CI −22…−18%, 8 runs)" }, ["a.cs"]),
        };
        var technique = Assert.Single(HistoryReview.Build(commits, []).Techniques);
        Assert.Equal(("Cache the regex", "caching", -20.0), (technique.Summary, technique.Strategy, technique.DeltaPct!.Value));
    }

    [Fact]
    public void An_empty_history_says_so()
    {
        Assert.Equal("no experiments yet", HistoryReview.Build([], []).Brief());
    }
}
