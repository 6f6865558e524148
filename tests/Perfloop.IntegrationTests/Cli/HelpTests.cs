using Perfloop.IntegrationTests.Fixtures;

namespace Perfloop.IntegrationTests.Cli;

public class HelpTests
{
    [Fact]
    public void Root_help_names_the_tool_perfloop_and_lists_the_exit_codes()
    {
        var result = PerfloopProcess.Run(Path.GetTempPath(), "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Usage:\n  perfloop [command] [options]", result.Stdout);
        Assert.DoesNotContain("Perfloop.Cli", result.Stdout);
        var exitCodes = result.Stdout[result.Stdout.IndexOf("Exit codes:", StringComparison.Ordinal)..];
        foreach (var line in new[] { "  0    done", "  1    failure", "  2    usage or configuration error", "  3    regression found", "  130  interrupted" })
        {
            Assert.Contains(line, exitCodes);
        }
    }

    [Fact]
    public void A_verbs_help_is_named_after_perfloop_and_leaves_the_exit_codes_to_the_root()
    {
        var result = PerfloopProcess.Run(Path.GetTempPath(), "report", "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Usage:\n  perfloop report [options]", result.Stdout);
        Assert.DoesNotContain("Exit codes:", result.Stdout);
    }
}
