using Perfloop.Implementers;

namespace Perfloop.Tests.Implementers;

public class KeepCommitMessageTests
{
    static readonly (string, string)[] Candidate = [("Target", "Parser.Parse"), ("Category", "algorithm"), ("Strategy", "algorithm")];

    static readonly (string, string)[] Perfloop = [("Perfloop-Experiment", "3"), ("Perfloop-Metric", "work 100 → 50")];

    [Fact]
    public void Without_a_body_the_message_is_subject_measured_line_and_one_trailer_block()
    {
        var message = KeepCommitMessage.Compose("Faster parse", "", "Measured by Perfloop: improved.", Candidate, Perfloop);
        Assert.Equal(
            "Faster parse\n\nMeasured by Perfloop: improved.\n\nTarget: Parser.Parse\nCategory: algorithm\nStrategy: algorithm\nPerfloop-Experiment: 3\nPerfloop-Metric: work 100 → 50\n",
            message);
    }

    [Fact]
    public void The_body_is_kept_and_its_trailers_joined_by_Perfloop_s_without_repeating_a_key()
    {
        var body = "Parse with a table instead of a switch.\n\nIt was O(n²).\n\nTarget: Parser.Parse\nStrategy: algorithm\nSigned-off-by: Zoë <z@example.com>";
        var message = KeepCommitMessage.Compose("Faster parse", body, "Measured by Perfloop: improved.", Candidate, Perfloop);
        Assert.Equal(
            "Faster parse\n\nParse with a table instead of a switch.\n\nIt was O(n²).\n\nMeasured by Perfloop: improved.\n\n"
            + "Target: Parser.Parse\nStrategy: algorithm\nSigned-off-by: Zoë <z@example.com>\nCategory: algorithm\nPerfloop-Experiment: 3\nPerfloop-Metric: work 100 → 50\n",
            message);
    }

    [Fact]
    public void A_body_without_trailers_is_kept_whole_before_the_measured_line()
    {
        var message = KeepCommitMessage.Compose("Faster parse", "Note: this paragraph is prose,\nnot a trailer block.", "Measured by Perfloop: improved.", [], Perfloop);
        Assert.Equal(
            "Faster parse\n\nNote: this paragraph is prose,\nnot a trailer block.\n\nMeasured by Perfloop: improved.\n\nPerfloop-Experiment: 3\nPerfloop-Metric: work 100 → 50\n",
            message);
    }

    [Fact]
    public void A_folded_trailer_stays_in_the_block()
    {
        var (text, trailers) = KeepCommitMessage.SplitTrailerBlock("Why.\n\nTarget: a long\n  continued target\nStrategy: caching\n");
        Assert.Equal("Why.", text);
        Assert.Equal(["Target: a long", "  continued target", "Strategy: caching"], trailers);
    }
}
