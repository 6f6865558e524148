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

/// <summary>The JDK the tests' <c>java</c> is: what its profile can prove depends on it.</summary>
public static partial class JavaRuntime
{
    /// <summary>The feature release of <c>java</c> on PATH (17 for "17.0.15", 8 for "1.8.0_402").</summary>
    public static int Major { get; } = ReadMajor();

    /// <summary>HotSpot lists the methods it called (-XX:+LogTouchedMethods) from JDK 9 to 21; JDK 22 removed the flag.</summary>
    public static bool ListsCalledMethods => Major is >= 9 and <= 21;

    static int ReadMajor()
    {
        var (exit, output) = ChildProcess.Run("java", null, TimeSpan.FromMinutes(1), "-version");
        var version = Version().Match(output);
        if (exit != 0 || !version.Success)
        {
            throw new InvalidOperationException($"java -version did not say its version: {output}");
        }

        var first = int.Parse(version.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        return first == 1 && version.Groups[2].Success ? int.Parse(version.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) : first;
    }

    [System.Text.RegularExpressions.GeneratedRegex("version \"(\\d+)(?:\\.(\\d+))?")]
    private static partial System.Text.RegularExpressions.Regex Version();
}
