using Perfloop.Ranking;

namespace Perfloop.Tests.Ranking;

public class StalenessTests
{
    static readonly DateTimeOffset CommitTime = new(2026, 1, 2, 12, 0, 0, TimeSpan.Zero);

    static BottleneckRanking Ranking(DateTimeOffset profileWritten, params string[] folded) =>
        BottleneckRanker.Rank(new RankingInput(TestProfiles.Folded(folded), "p.folded", profileWritten, null)
        {
            HeadSha = "aaaa",
            HeadCommittedAt = CommitTime,
        });

    [Fact]
    public void Fresh_at_the_same_head()
    {
        var ranking = Ranking(CommitTime.AddMinutes(5), "main;Demo.WordCounter.Count 5");

        Assert.False(ranking.IsStale("aaaa", []));
    }

    [Fact]
    public void Stale_when_the_profile_is_older_than_the_head_it_was_ranked_at()
    {
        var ranking = Ranking(CommitTime.AddMinutes(-5), "main;work 5");

        Assert.True(ranking.ProfilePredatesHead);
        Assert.True(ranking.IsStale("aaaa", []));
    }

    [Fact]
    public void Stale_when_a_later_commit_touched_ranked_code_by_name()
    {
        var ranking = Ranking(CommitTime.AddMinutes(5), "Program.Main;Demo.WordCounter.Count 5", "Program.Main;Demo.PrimeScanner.PrimesUpTo 5");

        Assert.True(ranking.IsStale("bbbb", ["src/WordCounter.cs"]));
        Assert.False(ranking.IsStale("bbbb", ["README.md", "src/Tokenizer.cs"]));
        Assert.False(ranking.IsStale("bbbb", []));
    }

    [Fact]
    public void Stale_when_a_later_commit_touched_a_ranked_file()
    {
        var ranking = Ranking(CommitTime.AddMinutes(5), "main (src/app.py:1);load (src/app.py:9) 5");

        Assert.True(ranking.IsStale("bbbb", ["src/app.py"]));
        Assert.False(ranking.IsStale("bbbb", ["src/other.py"]));
    }

    [Fact]
    public void Touching_outside_code_names_does_not_make_it_stale()
    {
        var ranking = Ranking(CommitTime.AddMinutes(5), "main;System.String.Concat 5");

        Assert.False(ranking.IsStale("bbbb", ["String.cs"]));
    }
}
