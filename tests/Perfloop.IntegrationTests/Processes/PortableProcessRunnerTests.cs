using System.Diagnostics;
using Perfloop.Processes;

namespace Perfloop.IntegrationTests.Processes;

/// <summary>The non-Linux fallback, exercised on Linux so it does not rot.</summary>
public sealed class PortableProcessRunnerTests
{
    [Fact]
    public async Task Captures_output_exit_code_and_stdin_without_cpu_or_rss()
    {
        var result = await PortableProcessRunner.RunAsync(
            CommandSpec.Shell("cat; echo err >&2; exit 3", "/") with { StandardInput = "hello" }, CancellationToken.None);

        Assert.Equal(3, result.ExitCode);
        Assert.Equal("hello", result.StdoutText);
        Assert.Equal("err\n", result.StderrText);
        Assert.Null(result.UserCpu);
        Assert.Null(result.PeakRssBytes);
    }

    [Fact]
    public async Task Timeout_and_cancellation_are_reported()
    {
        var stopwatch = Stopwatch.StartNew();
        var timedOut = await PortableProcessRunner.RunAsync(
            new CommandSpec("sleep", ["30"], "/") { Timeout = TimeSpan.FromMilliseconds(200) }, CancellationToken.None);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var cancelled = await PortableProcessRunner.RunAsync(new CommandSpec("sleep", ["30"], "/"), cancellation.Token);

        Assert.True(timedOut.TimedOut);
        Assert.True(cancelled.Cancelled);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_missing_program_gives_a_start_error()
    {
        var error = await Assert.ThrowsAsync<ProcessStartException>(
            () => PortableProcessRunner.RunAsync(new CommandSpec("no-such-program-xyz", [], "/"), CancellationToken.None));

        Assert.StartsWith("cannot start 'no-such-program-xyz': ", error.Message, StringComparison.Ordinal);
    }
}
