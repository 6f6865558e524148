using System.Globalization;
using Perfloop.Processes;
using Perfloop.Safety;

namespace Perfloop.Experiments;

/// <summary>How a user's command failed: timed out, or its exit code with the line that most likely says why.</summary>
public sealed record CommandFailure(bool TimedOut, int ExitCode, string Line, double TimeoutSeconds)
{
    public string Describe() => TimedOut
        ? string.Create(CultureInfo.InvariantCulture, $"timed out after {TimeoutSeconds:0}s")
        : string.Create(CultureInfo.InvariantCulture, $"exit code {ExitCode}: {Line}");
}

/// <summary>
/// The user's own shell commands — build and guard — each with its timeout, its whole output kept (redacted) in a log,
/// and a one-line account of a failure.
/// </summary>
public sealed class UserCommands(SessionSetup setup, IProcessRunner runner)
{
    /// <summary>Runs the build in <paramref name="directory"/>; null when it succeeded (or there is none), else how it failed.</summary>
    public Task<CommandFailure?> BuildAsync(string directory, string logPath, CancellationToken cancellationToken) =>
        string.IsNullOrWhiteSpace(setup.Config.Build)
            ? Task.FromResult<CommandFailure?>(null)
            : RunLoggedAsync(setup.Config.Build, directory, setup.Config.Timeouts.BuildSeconds, logPath, cancellationToken);

    /// <summary>Runs the guard in the work tree; null when it passed, else what failed, in words.</summary>
    public async Task<string?> GuardAsync(string logPath, CancellationToken cancellationToken)
    {
        var guard = setup.Guard ?? throw new InvalidOperationException("no guard is configured");
        var failure = await RunLoggedAsync(guard, setup.Root, setup.Config.Timeouts.GuardSeconds, logPath, cancellationToken);
        return failure is null ? null : failure.TimedOut ? $"'{guard}' {failure.Describe()}" : $"'{guard}' exited with {failure.ExitCode.ToString(CultureInfo.InvariantCulture)}: {failure.Line}";
    }

    async Task<CommandFailure?> RunLoggedAsync(string command, string directory, double timeoutSeconds, string logPath, CancellationToken cancellationToken)
    {
        var spec = CommandSpec.Shell(command, directory) with { Timeout = TimeSpan.FromSeconds(timeoutSeconds) };
        var result = await runner.RunAsync(spec, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        await File.WriteAllTextAsync(logPath, SecretRedactor.Current.Redact(result.StdoutText + result.StderrText), CancellationToken.None);
        return result.Succeeded ? null : new CommandFailure(result.TimedOut, result.ExitCode, FailureLine(result), timeoutSeconds);
    }

    /// <summary>The line that most likely says what went wrong: an error line if there is one, else the last line.</summary>
    static string FailureLine(ProcessResult result)
    {
        var lines = (result.StdoutText + "\n" + result.StderrText).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        var error = lines.FirstOrDefault(l => l.Contains("error", StringComparison.OrdinalIgnoreCase) || l.Contains("fail", StringComparison.OrdinalIgnoreCase));
        var line = SecretRedactor.Current.Redact(error ?? (lines.Count > 0 ? lines[^1] : "(no output)"));
        return line.Length <= 200 ? line : line[..197] + "...";
    }
}
