using System.Diagnostics;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using Perfloop.Processes;
using Xunit.Abstractions;

namespace Perfloop.IntegrationTests.Processes;

// These tests run real processes and inspect /proc: they are Linux-only like the runner's exact path.
[SupportedOSPlatform("linux")]
public sealed class ProcessRunnerTests(ITestOutputHelper output) : IDisposable
{
    readonly ProcessRunner runner = new();
    readonly string directory = Directory.CreateTempSubdirectory("perfloop-processes-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    Task<ProcessResult> Shell(string commandLine, Func<CommandSpec, CommandSpec>? configure = null, CancellationToken cancellationToken = default)
    {
        var spec = CommandSpec.Shell(commandLine, directory);
        return runner.RunAsync(configure is null ? spec : configure(spec), cancellationToken);
    }

    [Fact]
    public async Task Exit_codes_are_reported()
    {
        var success = await runner.RunAsync(new CommandSpec("true", [], directory));
        var failure = await Shell("exit 7");

        Assert.True(success.Succeeded);
        Assert.Equal(0, success.ExitCode);
        Assert.Equal(7, failure.ExitCode);
        Assert.False(failure.Succeeded);
        Assert.Null(failure.Signal);
    }

    [Fact]
    public async Task A_child_killed_by_a_signal_reports_it_with_the_shell_convention()
    {
        var result = await Shell("kill -KILL $$");

        Assert.Equal(9, result.Signal);
        Assert.Equal(137, result.ExitCode);
    }

    [Fact]
    public async Task Stdout_and_stderr_are_captured_separately()
    {
        var result = await Shell("echo out; echo err >&2; echo out2");

        Assert.Equal("out\nout2\n", result.StdoutText);
        Assert.Equal("err\n", result.StderrText);
        Assert.Equal(9, result.StdoutBytes);
        Assert.Equal(4, result.StderrBytes);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData("out\nout2\n"u8)), result.StdoutSha256);
        Assert.False(result.OutputTruncated);
    }

    [Fact]
    public async Task Arguments_pass_through_verbatim()
    {
        string[] arguments = ["a b", "\"quoted\"", "it's", "$HOME", "*", "", "back\\slash", "tab\there", "ünïcødé"];

        var result = await runner.RunAsync(new CommandSpec("printf", ["%s|", .. arguments], directory));

        Assert.Equal(string.Concat(arguments.Select(a => a + "|")), result.StdoutText);
    }

    [Fact]
    public async Task Shell_factory_runs_a_command_line_through_sh()
    {
        var result = await Shell("echo $((2 + 3)) | tr 5 x && missing-command-xyz 2>/dev/null; echo $?");

        Assert.Equal("x\n127\n", result.StdoutText);
    }

    [Fact]
    public async Task Environment_variables_can_be_set_and_removed()
    {
        var result = await Shell("echo \"[$PERFLOOP_SET][${HOME-unset}]\"", spec => spec with
        {
            Environment = new Dictionary<string, string?> { ["PERFLOOP_SET"] = "a value", ["HOME"] = null },
        });

        Assert.Equal("[a value][unset]\n", result.StdoutText);
    }

    [Fact]
    public async Task Program_lookup_uses_the_childs_path()
    {
        var script = Path.Combine(directory, "only-here");
        await File.WriteAllTextAsync(script, "#!/bin/sh\necho found me\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserExecute);

        var result = await runner.RunAsync(new CommandSpec("only-here", [], directory)
        {
            Environment = new Dictionary<string, string?> { ["PATH"] = directory + ":/usr/bin:/bin" },
        });

        Assert.Equal("found me\n", result.StdoutText);
    }

    [Fact]
    public async Task Working_directory_is_used()
    {
        var result = await runner.RunAsync(new CommandSpec("/bin/pwd", ["-P"], directory));

        Assert.Equal(new DirectoryInfo(directory).ResolveLinkTarget(true)?.FullName ?? directory, result.StdoutText.TrimEnd('\n'));
    }

    [Fact]
    public async Task Stdin_text_is_written_then_closed_and_defaults_to_empty()
    {
        var echoed = await runner.RunAsync(new CommandSpec("cat", [], directory) { StandardInput = "line 1\nline 2" });
        var empty = await runner.RunAsync(new CommandSpec("cat", [], directory));
        var large = await runner.RunAsync(new CommandSpec("cat", [], directory) { StandardInput = new string('x', 3_000_000) });

        Assert.Equal("line 1\nline 2", echoed.StdoutText);
        Assert.Equal("", empty.StdoutText);
        Assert.Equal(0, empty.ExitCode);
        Assert.Equal(3_000_000, large.StdoutBytes);
    }

    [Fact]
    public async Task A_child_that_ignores_its_stdin_does_not_break_the_run()
    {
        var result = await runner.RunAsync(new CommandSpec("true", [], directory) { StandardInput = new string('x', 1_000_000) });

        Assert.True(result.Succeeded);
    }

    [Fact]
    public async Task Timeout_kills_the_child_quickly_and_is_reported()
    {
        var stopwatch = Stopwatch.StartNew();
        var result = await runner.RunAsync(new CommandSpec("sleep", ["30"], directory) { Timeout = TimeSpan.FromMilliseconds(200) });

        Assert.True(result.TimedOut);
        Assert.False(result.Cancelled);
        Assert.False(result.Succeeded);
        Assert.Equal(15, result.Signal);
        Assert.InRange(result.WallTime, TimeSpan.FromMilliseconds(190), TimeSpan.FromSeconds(2));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task A_child_ignoring_sigterm_is_killed_after_the_grace_period()
    {
        var result = await Shell("trap '' TERM; echo ready; while :; do sleep 1; done", spec => spec with
        {
            Timeout = TimeSpan.FromMilliseconds(200),
            TerminationGracePeriod = TimeSpan.FromMilliseconds(300),
        });

        Assert.True(result.TimedOut);
        Assert.Equal(9, result.Signal);
        Assert.InRange(result.WallTime, TimeSpan.FromMilliseconds(450), TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task Grandchildren_are_gone_after_a_timeout()
    {
        var result = await Shell("sleep 300 & echo $!; sleep 300", spec => spec with { Timeout = TimeSpan.FromMilliseconds(300) });

        Assert.True(result.TimedOut);
        await AssertProcessGoneAsync(int.Parse(result.StdoutText.Trim(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_background_grandchild_holding_the_output_pipe_neither_hangs_the_run_nor_survives_it()
    {
        var stopwatch = Stopwatch.StartNew();
        var result = await Shell("sleep 300 & echo $!", spec => spec with { LeftoverOutputWait = TimeSpan.FromMilliseconds(100) });

        Assert.True(result.Succeeded);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"took {stopwatch.Elapsed}");
        Assert.True(result.WallTime < TimeSpan.FromMilliseconds(100), $"wall {result.WallTime} should stop at the shell's exit");
        await AssertProcessGoneAsync(int.Parse(result.StdoutText.Trim(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_detached_background_grandchild_is_killed_too_and_late_output_within_the_wait_is_kept()
    {
        var result = await Shell("sleep 300 >/dev/null 2>&1 & echo $! >&2; (sleep 0.05; echo late) &");

        Assert.Equal("late\n", result.StdoutText);
        await AssertProcessGoneAsync(int.Parse(result.StderrText.Trim(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Cancellation_kills_the_group_and_returns_a_cancelled_result()
    {
        using var cancellation = new CancellationTokenSource();
        var run = Shell("sleep 300 & echo $!; sleep 300", cancellationToken: cancellation.Token);
        await Task.Delay(200);
        await cancellation.CancelAsync();
        var result = await run;

        Assert.True(result.Cancelled);
        Assert.False(result.TimedOut);
        Assert.False(result.Succeeded);
        Assert.True(result.WallTime < TimeSpan.FromSeconds(2));
        await AssertProcessGoneAsync(int.Parse(result.StdoutText.Trim(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task An_already_cancelled_token_starts_nothing()
    {
        var result = await Shell("echo never", cancellationToken: new CancellationToken(canceled: true));

        Assert.True(result.Cancelled);
        Assert.Equal(-1, result.ExitCode);
        Assert.Equal(0, result.StdoutBytes);
    }

    [Fact]
    public async Task Peak_rss_is_exact_per_child_not_a_running_maximum()
    {
        // In the exact mode the loop uses, each child's own peak is reported whatever the test host's peak is
        // (other tests in this process raise it), so the test does not depend on the order tests run in.
        CommandSpec Python(string code) => new CommandSpec("/usr/bin/python3", ["-c", code], directory) { ExactPeakRss = true };
        var large = await runner.RunAsync(Python("b = b'x' * (300 * 1024 * 1024)"));
        var smaller = await runner.RunAsync(Python("b = b'x' * (200 * 1024 * 1024)"));
        var tiny = await runner.RunAsync(Python("pass"));

        output.WriteLine($"large {large.PeakRssBytes / 1024 / 1024} MiB, smaller {smaller.PeakRssBytes / 1024 / 1024} MiB, tiny {tiny.PeakRssBytes / 1024 / 1024} MiB");
        Assert.True(large.Succeeded, large.StderrText);
        Assert.InRange(large.PeakRssBytes!.Value, 300L << 20, 330L << 20);
        Assert.InRange(smaller.PeakRssBytes!.Value, 200L << 20, 230L << 20);
        Assert.InRange(tiny.PeakRssBytes!.Value, 1L << 20, 40L << 20);
        Assert.NotNull(tiny.UserCpu);
    }

    [Fact]
    public async Task Exact_peak_rss_reports_5_mb_and_100_mb_children_below_our_own_peak_and_a_child_above_it()
    {
        // Raise the test host's peak above 100 MB: both children then sit below it, where a plain spawn cannot see them.
        var ballast = GC.AllocateUninitializedArray<byte>(160 << 20);
        Array.Fill(ballast, (byte)1);
        var hostPeak = OwnPeakRssBytes();
        var aboveMb = (int)(hostPeak >> 20) + 64;

        var small = await Dd(5, exact: true);
        var hundred = await Dd(100, exact: true);
        var above = await Dd(aboveMb, exact: true);
        var plainSmall = await Dd(5, exact: false);
        var plainAbove = await Dd(aboveMb, exact: false);
        GC.KeepAlive(ballast);

        output.WriteLine($"host peak {hostPeak >> 20} MiB; exact: 5 MB -> {small.PeakRssBytes >> 10} KiB, 100 MB -> {hundred.PeakRssBytes >> 10} KiB, " +
            $"{aboveMb} MB -> {above.PeakRssBytes >> 10} KiB; plain: 5 MB -> {plainSmall.PeakRssBytes}, {aboveMb} MB -> {plainAbove.PeakRssBytes >> 10} KiB");
        Assert.True(hostPeak > 150L << 20, $"host peak {hostPeak}");
        Assert.InRange(small.PeakRssBytes!.Value, 5L << 20, 9L << 20);
        Assert.InRange(hundred.PeakRssBytes!.Value, 100L << 20, 105L << 20);
        Assert.InRange(above.PeakRssBytes!.Value, (long)aboveMb << 20, ((long)aboveMb + 5) << 20);
        Assert.Null(plainSmall.PeakRssBytes);
        Assert.InRange(plainAbove.PeakRssBytes!.Value, (long)aboveMb << 20, ((long)aboveMb + 5) << 20);
        Assert.NotNull(small.UserCpu);

        Task<ProcessResult> Dd(int megabytes, bool exact) => runner.RunAsync(
            new CommandSpec("dd", ["if=/dev/zero", "of=/dev/null", $"bs={megabytes}M", "count=1", "status=none"], directory) { ExactPeakRss = exact });
    }

    [Fact]
    public async Task Exact_peak_rss_mode_keeps_stdin_output_exit_code_and_default_signals()
    {
        var result = await Shell("read line; echo \"got $line\"; grep SigIgn /proc/$$/status; echo oops >&2; exit 3",
            spec => spec with { ExactPeakRss = true, StandardInput = "hello\n" });

        var ignored = Convert.ToUInt64(result.StdoutText.Split('\n')[1].Split(':')[1].Trim(), 16);
        Assert.Equal(3, result.ExitCode);
        Assert.StartsWith("got hello\n", result.StdoutText, StringComparison.Ordinal);
        Assert.Equal("oops\n", result.StderrText);
        Assert.Equal(0UL, ignored & 0b110); // SIGINT (2) and SIGQUIT (3) back to default, as without the launcher
    }

    [Fact]
    public async Task Exact_peak_rss_mode_times_out_kills_the_group_and_leaves_no_zombies()
    {
        // Other tests' detached leftovers may already be zombies of this host (a subreaper): only new ones count.
        var before = ZombieChildren();
        var clock = Stopwatch.StartNew();
        var result = await Shell("sleep 30 & sleep 30", spec => spec with { ExactPeakRss = true, Timeout = TimeSpan.FromMilliseconds(300) });

        Assert.True(result.TimedOut);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), clock.Elapsed.ToString());
        Assert.DoesNotContain(ZombieChildren().Except(before), z => z.Contains("(sleep)", StringComparison.Ordinal) || z.Contains("(sh)", StringComparison.Ordinal));
    }

    static long OwnPeakRssBytes() =>
        long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))[6..].Replace("kB", "", StringComparison.Ordinal).Trim(),
            System.Globalization.CultureInfo.InvariantCulture) * 1024;

    static List<string> ZombieChildren()
    {
        var self = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var zombies = new List<string>();
        foreach (var stat in Directory.EnumerateDirectories("/proc").Select(d => Path.Combine(d, "stat")))
        {
            string text;
            try
            {
                text = File.ReadAllText(stat);
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }
            // pid (comm) state ppid ...; comm may contain spaces, so split after the last ')'.
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            if (fields[0] == "Z" && fields[1] == self)
            {
                zombies.Add(text);
            }
        }
        return zombies;
    }

    [Fact]
    public async Task Cpu_time_of_a_busy_loop_is_measured()
    {
        var result = await Shell("i=0; while [ $i -lt 300000 ]; do i=$((i + 1)); done");

        output.WriteLine($"user {result.UserCpu}, system {result.SystemCpu}, wall {result.WallTime}");
        Assert.True(result.UserCpu > TimeSpan.FromMilliseconds(10));
        Assert.NotNull(result.SystemCpu);
        Assert.True(result.TotalCpu <= result.WallTime + TimeSpan.FromMilliseconds(20));
    }

    [Fact]
    public async Task Huge_output_is_counted_hashed_and_capped_in_memory_and_on_disk()
    {
        const long size = 200L << 20;
        var logPath = Path.Combine(directory, "logs", "stdout.log");
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);

        var result = await runner.RunAsync(new CommandSpec("head", ["-c", size.ToString(System.Globalization.CultureInfo.InvariantCulture), "/dev/zero"], directory)
        {
            StdoutLogPath = logPath,
            LogCapBytes = 3 << 20,
        });

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        output.WriteLine($"allocated {allocated / 1024} KiB, wall {result.WallTime}");
        Assert.True(result.Succeeded);
        Assert.Equal(size, result.StdoutBytes);
        Assert.Equal(CommandSpec.DefaultMemoryCapBytes, result.StdoutHead.Length);
        Assert.True(result.OutputTruncated);
        Assert.True(result.LogTruncated);
        Assert.Equal(3L << 20, new FileInfo(logPath).Length);
        Assert.True(allocated < 30L << 20, $"allocated {allocated} bytes");
        using var zeros = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var block = new byte[1 << 20];
        for (var i = 0; i < size / block.Length; i++)
        {
            zeros.AppendData(block);
        }

        Assert.Equal(Convert.ToHexStringLower(zeros.GetHashAndReset()), result.StdoutSha256);
    }

    [Fact]
    public async Task Non_utf8_output_is_kept_raw_and_decoded_lossily()
    {
        var result = await runner.RunAsync(new CommandSpec("printf", ["\\377\\376ok\\303"], directory));

        Assert.Equal(new byte[] { 0xff, 0xfe, (byte)'o', (byte)'k', 0xc3 }, result.StdoutHead);
        Assert.Contains("ok", result.StdoutText, StringComparison.Ordinal);
        Assert.Contains('\uFFFD', result.StdoutText);
    }

    [Fact]
    public async Task A_missing_program_gives_a_clear_start_error()
    {
        var byName = await Assert.ThrowsAsync<ProcessStartException>(() => runner.RunAsync(new CommandSpec("no-such-program-xyz", [], directory)));
        var byPath = await Assert.ThrowsAsync<ProcessStartException>(() => runner.RunAsync(new CommandSpec("./no-such-program", [], directory)));
        var noDirectory = await Assert.ThrowsAsync<ProcessStartException>(() => runner.RunAsync(new CommandSpec("true", [], Path.Combine(directory, "missing"))));

        Assert.Equal("cannot start 'no-such-program-xyz': No such file or directory", byName.Message);
        Assert.Equal("cannot start './no-such-program': No such file or directory", byPath.Message);
        Assert.Contains("does not exist", noDirectory.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_non_executable_file_gives_a_clear_start_error()
    {
        var file = Path.Combine(directory, "not-executable");
        await File.WriteAllTextAsync(file, "echo hi\n");

        var error = await Assert.ThrowsAsync<ProcessStartException>(() => runner.RunAsync(new CommandSpec(file, [], directory)));

        Assert.EndsWith("Permission denied", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_stdin_stdout_and_stderr_reach_the_child()
    {
        var result = await Shell("ls /proc/$$/fd");

        Assert.Equal("0\n1\n2\n", result.StdoutText);
    }

    [Fact]
    public async Task Signals_have_default_dispositions_in_the_child()
    {
        // .NET ignores SIGPIPE; inherited, `yes` would report EPIPE instead of dying quietly.
        var result = await Shell("yes | head -n 1");

        Assert.Equal("y\n", result.StdoutText);
        Assert.Equal("", result.StderrText);
    }

    [Fact]
    public async Task Line_callbacks_see_each_line()
    {
        var lines = new List<string>();
        var result = await Shell("printf 'one\\r\\ntwo\\n\\nlast' >&2", spec => spec with { OnStderrLine = lines.Add });

        Assert.Equal(["one", "two", "", "last"], lines);
        Assert.True(result.Succeeded);
    }

    [Fact]
    public async Task Reported_wall_time_of_bin_true_never_exceeds_the_round_trip()
    {
        var spec = new CommandSpec("/bin/true", [], directory);
        for (var i = 0; i < 20; i++)
        {
            await runner.RunAsync(spec);
        }

        var ours = new List<double>();
        var walls = new List<double>();
        for (var i = 0; i < 200; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            var result = await runner.RunAsync(spec);
            ours.Add(stopwatch.Elapsed.TotalMilliseconds);
            walls.Add(result.WallTime.TotalMilliseconds);
            Assert.True(result.Succeeded);
            // The measured interval lies inside the call: spawn to exit, without thread start-up or reaping.
            Assert.InRange(result.WallTime.TotalMilliseconds, 0.0, stopwatch.Elapsed.TotalMilliseconds);
        }

        var reference = new List<double>();
        for (var i = 0; i < 200; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            using var process = Process.Start(new ProcessStartInfo("/bin/true") { UseShellExecute = false })!;
            await process.WaitForExitAsync();
            reference.Add(stopwatch.Elapsed.TotalMilliseconds);
        }

        static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
        output.WriteLine($"RunAsync median {Median(ours):F3} ms (reported wall {Median(walls):F3} ms); Process.Start+WaitForExit median {Median(reference):F3} ms");
        // The overhead figures are informational (bench-style, printed side by side); asserting an absolute time
        // here would make the suite fail on a busy machine.
    }

    static async Task AssertProcessGoneAsync(int processId)
    {
        for (var attempt = 0; attempt < 100 && IsAlive(processId); attempt++)
        {
            await Task.Delay(10);
        }

        Assert.False(IsAlive(processId), $"process {processId} is still alive");
    }

    // A zombie waiting for its new parent to reap it counts as gone: it runs nothing and holds nothing.
    static bool IsAlive(int processId)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{processId}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
