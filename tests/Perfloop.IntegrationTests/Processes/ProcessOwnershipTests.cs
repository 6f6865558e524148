using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using Perfloop.Processes;

namespace Perfloop.IntegrationTests.Processes;

/// <summary>
/// Processes that leave a command's process group (setsid, double fork) still belong to the command: they end when
/// it ends, on timeout, on cancellation, and — for a loop killed with SIGKILL — when a later loop ends its leftovers.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ProcessOwnershipTests : IDisposable
{
    readonly ProcessRunner runner = new();
    readonly string directory = Directory.CreateTempSubdirectory("perfloop-ownership-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    string PidFile(string name) => Path.Combine(directory, name);

    /// <summary>Starts a process in a new session that writes its pid to <paramref name="pidFile"/> and sleeps.</summary>
    static string Escapee(string pidFile) => $"setsid sh -c 'echo $$ > {pidFile}; exec sleep 300' >/dev/null 2>&1 < /dev/null &";

    static int ReadPid(string file)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (File.Exists(file) && int.TryParse(File.ReadAllText(file).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid))
            {
                return pid;
            }

            Thread.Sleep(10);
        }

        throw new TimeoutException($"no pid in {file}");
    }

    /// <summary>Alive and not a zombie.</summary>
    static bool Runs(int pid) => ProcessOwnership.ReadStat(pid) is { State: not 'Z' };

    static bool Exists(int pid) => Directory.Exists($"/proc/{pid}");

    [Fact]
    public async Task A_setsid_child_ends_with_its_command_and_is_reaped()
    {
        var file = PidFile("setsid.pid");
        var result = await runner.RunAsync(CommandSpec.Shell($"{Escapee(file)} sleep 0.2; echo done", directory));

        Assert.Equal(0, result.ExitCode);
        var pid = ReadPid(file);
        Assert.False(Runs(pid), $"setsid child {pid} outlived its command");
        Assert.False(Exists(pid), $"setsid child {pid} is left as a zombie");
    }

    [Fact]
    public async Task A_double_forked_daemon_ends_with_its_command()
    {
        var file = PidFile("daemon.pid");
        // The classic daemon: fork, setsid, fork again, the middle one exits; the grandchild is nobody's child but ours.
        var result = await runner.RunAsync(CommandSpec.Shell($"( setsid sh -c '( echo $$ > /dev/null; sh -c \"echo \\$\\$ > {file}; exec sleep 300\" & ) ' & ); sleep 0.3", directory));

        Assert.Equal(0, result.ExitCode);
        var pid = ReadPid(file);
        Assert.False(Runs(pid), $"daemon {pid} outlived its command");
    }

    [Fact]
    public async Task On_timeout_the_setsid_children_of_a_hanging_command_end_too()
    {
        var file = PidFile("timeout.pid");
        var result = await runner.RunAsync(CommandSpec.Shell($"{Escapee(file)} sleep 300", directory) with { Timeout = TimeSpan.FromSeconds(1) });

        Assert.True(result.TimedOut);
        Assert.False(Runs(ReadPid(file)));
    }

    [Fact]
    public async Task On_cancellation_the_setsid_children_end_too()
    {
        var file = PidFile("cancel.pid");
        using var cancellation = new CancellationTokenSource();
        var run = runner.RunAsync(CommandSpec.Shell($"{Escapee(file)} sleep 300", directory), cancellation.Token);
        var pid = ReadPid(file);
        await cancellation.CancelAsync();
        var result = await run;

        Assert.True(result.Cancelled);
        Assert.False(Runs(pid));
    }

    [Fact]
    public async Task An_orphan_that_ends_by_itself_is_reaped_not_left_a_zombie()
    {
        var file = PidFile("orphan.pid");
        var result = await runner.RunAsync(CommandSpec.Shell($"( setsid sh -c 'echo $$ > {file}' & ); sleep 0.3", directory));

        Assert.Equal(0, result.ExitCode);
        var pid = ReadPid(file);
        Assert.False(Exists(pid), $"orphan {pid} is left as a zombie");
    }

    [Fact]
    public async Task Ending_one_command_leaves_a_concurrent_command_alone()
    {
        var file = PidFile("long.pid");
        var longRunning = runner.RunAsync(CommandSpec.Shell($"{Escapee(file)} sleep 1; kill -0 $(cat {file}) && echo alive", directory));
        var pid = ReadPid(file);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(0, (await runner.RunAsync(CommandSpec.Shell("setsid sleep 300 & true", directory))).ExitCode);
        }

        var result = await longRunning;
        Assert.Equal("alive\n", result.StdoutText);
        Assert.False(Runs(pid));
    }

    [Fact]
    public async Task Every_child_carries_its_command_s_mark()
    {
        var first = await runner.RunAsync(CommandSpec.Shell("echo \"$PERFLOOP_OWNER\"", directory));
        var second = await runner.RunAsync(CommandSpec.Shell("echo \"$PERFLOOP_OWNER\"", directory));

        var a = first.StdoutText.Trim();
        var b = second.StdoutText.Trim();
        Assert.StartsWith(ProcessOwnership.LoopId + ".", a.Split(' ')[^1], StringComparison.Ordinal);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void The_leftovers_of_a_dead_loop_are_ended_by_loop_id_and_nothing_else()
    {
        var deadLoop = "deadbeef" + Guid.NewGuid().ToString("N")[..8];
        var otherLoop = "cafef00d" + Guid.NewGuid().ToString("N")[..8];
        using var leftover = StartDetached(deadLoop + ".7");
        using var unrelated = StartDetached(otherLoop + ".1");
        using var unmarked = StartDetached(null);

        var killed = ProcessOwnership.EndLeftovers(deadLoop);

        Assert.Equal(1, killed);
        Assert.True(leftover.WaitForExit(5000));
        Assert.False(unrelated.HasExited);
        Assert.False(unmarked.HasExited);
        unrelated.Kill();
        unmarked.Kill();
    }

    [Fact]
    public void At_the_end_whatever_still_carries_this_loop_s_mark_is_ended()
    {
        using var survivor = StartDetached(ProcessOwnership.LoopId + ".99999");
        using var unrelated = StartDetached("0123456789abcdef.1");

        var ended = ProcessOwnership.EndOwnLeftovers();

        Assert.True(ended >= 1);
        Assert.True(survivor.WaitForExit(5000));
        Assert.False(unrelated.HasExited);
        unrelated.Kill();
    }

    [Fact]
    public void The_own_loop_is_never_ended_as_a_leftover() =>
        Assert.Equal(0, ProcessOwnership.EndLeftovers(ProcessOwnership.LoopId));

    static Process StartDetached(string? mark)
    {
        var start = new ProcessStartInfo("sleep", "300") { UseShellExecute = false };
        start.Environment.Remove(ProcessOwnership.VariableName);
        if (mark is not null)
        {
            start.Environment[ProcessOwnership.VariableName] = mark;
        }

        var process = Process.Start(start)!;
        // /proc/PID/environ is readable once the exec is done.
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (DateTime.UtcNow < deadline && !File.ReadAllText($"/proc/{process.Id}/cmdline").StartsWith("sleep", StringComparison.Ordinal))
        {
            Thread.Sleep(5);
        }

        return process;
    }
}
