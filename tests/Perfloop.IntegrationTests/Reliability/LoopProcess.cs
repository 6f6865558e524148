using System.Diagnostics;
using System.Globalization;
using Perfloop.IntegrationTests.Fixtures;

namespace Perfloop.IntegrationTests.Reliability;

/// <summary>
/// The real perfloop CLI started in its own session and process group (through setsid, which execs it under the same
/// pid), so a test can signal the group the way a terminal does on Ctrl-C without hitting the test host.
/// </summary>
public sealed class LoopProcess : IDisposable
{
    readonly Process process;
    readonly ProcessOutput output;

    LoopProcess(Process process)
    {
        this.process = process;
        output = new ProcessOutput(process);
    }

    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public int Pid => process.Id;

    public static LoopProcess Start(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("setsid") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("dotnet");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Perfloop.Cli.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The test host may itself run under a Perfloop: its mark must not make the loop's processes look like the host's.
        start.Environment.Remove(Perfloop.Processes.ProcessOwnership.VariableName);
        return new LoopProcess(Process.Start(start)!);
    }

    public string StdoutSoFar => output.StdoutSoFar;

    public bool HasExited => process.HasExited;

    /// <summary>Waits until stdout contains <paramref name="text"/>; false if the process ends or time runs out first.</summary>
    public bool WaitForOutput(string text, TimeSpan timeout) => output.WaitForStdout(text, timeout);

    /// <summary>Sends <paramref name="signal"/> to the process, or to its whole process group (as a terminal's Ctrl-C does).</summary>
    public void Signal(string signal, bool wholeGroup)
    {
        var target = (wholeGroup ? "-" : "") + Pid.ToString(CultureInfo.InvariantCulture);
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, "--", target]) { RedirectStandardError = true })!;
        kill.StandardError.ReadToEnd();
        kill.WaitForExit();
    }

    public Result WaitForExit(TimeSpan timeout)
    {
        if (!process.WaitForExit(timeout))
        {
            Signal("KILL", wholeGroup: true);
            process.WaitForExit();
            throw new TimeoutException($"perfloop did not finish in {timeout}");
        }

        var (stdout, stderr) = output.AfterExit();
        return new Result(process.ExitCode, stdout, stderr);
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            Signal("KILL", wholeGroup: true);
            process.WaitForExit();
        }

        process.Dispose();
    }
}
