using Perfloop.Errors;
using Perfloop.Journal;

namespace Perfloop.Tests.Errors;

public class MentionTests
{
    [Fact]
    public void Each_front_end_words_commands_and_inputs_its_own_way()
    {
        var message = $"run {Mention.Command("experiment abandon")}, or pass {Mention.Input("no-guard")}";
        Assert.Equal("run 'perfloop experiment abandon', or pass --no-guard", Mention.ForCommandLine(message));
        Assert.Equal("run the experiment_abandon tool, or pass no-guard", Mention.Render(message, words => "the " + words.Replace(' ', '_') + " tool", name => name));
        Assert.Equal("plain text stays as it is", Mention.ForCommandLine("plain text stays as it is"));
    }

    [Fact]
    public void A_results_row_is_written_in_the_words_people_read()
    {
        var row = new ResultRow
        {
            Experiment = 3,
            Timestamp = DateTimeOffset.UnixEpoch,
            Domain = "cpu",
            Status = ExperimentStatus.Event,
            Reason = $"4 experiments run ({Mention.Input("max-experiments")} 4)",
        };
        Assert.Contains("4 experiments run (--max-experiments 4)", ResultsTable.FormatRow(row), StringComparison.Ordinal);
    }
}
