using System.Diagnostics;

namespace Perfloop.IntegrationTests.Fixtures;

/// <summary>Runs the real perfloop CLI (the built Perfloop.Cli.dll next to the tests) as a child process.</summary>
public static class PerfloopProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Run(string workingDirectory, params string[] arguments) => RunWithin(TimeSpan.FromMinutes(5), workingDirectory, arguments);

    public static Result RunWithin(TimeSpan limit, string workingDirectory, params string[] arguments)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "Perfloop.Cli.dll");
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(cli);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"perfloop {string.Join(' ', arguments)} did not finish in {limit.TotalMinutes:0} minutes");
        }

        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }
}
