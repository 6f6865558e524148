using System.Diagnostics;

namespace Perfloop.IntegrationTests.Fixtures;

/// <summary>Runs a helper program of a test (a build, a cluster script) to its end, with a limit.</summary>
public static class ChildProcess
{
    /// <summary>Exit code and stdout followed by stderr; past <paramref name="limit"/> the tree is killed and the exit code is -1.</summary>
    public static (int ExitCode, string Output) Run(string program, string? workingDirectory, TimeSpan limit, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

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
            return (-1, $"{program} {string.Join(' ', arguments)} did not finish within {limit.TotalSeconds:0} s");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
