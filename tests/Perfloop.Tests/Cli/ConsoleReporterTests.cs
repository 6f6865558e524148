using Perfloop.Cli.Rendering;
using Perfloop.Reporting;

namespace Perfloop.Tests.Cli;

public class ConsoleReporterTests
{
    [Fact]
    public void On_a_terminal_progress_is_one_live_line_that_a_status_line_clears()
    {
        var output = new StringWriter();
        var details = new StringWriter();
        using var reporter = new ConsoleReporter(output, details, live: true);
        reporter.Progress(new LoopProgress("[experiment 3]", "benchmarking", 4, 60));
        reporter.Progress(new LoopProgress("[experiment 3]", "benchmarking", 6, 60));
        Assert.Contains("\r[experiment 3] benchmarking — 6 of at most 60 pairs — 0:0", details.ToString(), StringComparison.Ordinal);

        reporter.Status("[experiment 3] Result: …");
        Assert.EndsWith("\r\u001b[K", details.ToString(), StringComparison.Ordinal);
        Assert.Equal("[experiment 3] Result: …" + Environment.NewLine, output.ToString());
    }

    [Fact]
    public void In_a_log_there_is_no_live_line_and_status_lines_are_plain()
    {
        var output = new StringWriter();
        var details = new StringWriter();
        using var reporter = new ConsoleReporter(output, details, live: false);
        reporter.Progress(new LoopProgress("[experiment 1]", "building the candidate"));
        reporter.Status($"[experiment 1] {Perfloop.Errors.Mention.Command("status")}");
        Assert.Equal("", details.ToString());
        Assert.Equal("[experiment 1] 'perfloop status'" + Environment.NewLine, output.ToString());
    }
}
