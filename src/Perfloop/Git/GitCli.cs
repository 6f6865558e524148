using System.Text;
using Perfloop.Errors;
using Perfloop.Processes;

namespace Perfloop.Git;

/// <summary>
/// Git through its CLI: argument lists, no prompts, C locale for parseable messages, and the caller's
/// GIT_DIR/GIT_WORK_TREE stripped so a hook environment cannot redirect us to another repository.
/// </summary>
public sealed class GitCli(IProcessRunner runner, string workingDirectory)
{
    static readonly Dictionary<string, string?> Environment = new()
    {
        ["GIT_TERMINAL_PROMPT"] = "0",
        ["LC_ALL"] = "C",
        ["GIT_DIR"] = null,
        ["GIT_WORK_TREE"] = null,
        ["GIT_INDEX_FILE"] = null,
        ["GIT_OPTIONAL_LOCKS"] = "0",
        // No pager, no editor: nothing may wait for a human.
        ["GIT_PAGER"] = "cat",
        ["GIT_EDITOR"] = "true",
    };

    /// <summary>Every git command Perfloop runs is local and quick; one that hangs (a lock, a hook) is stopped.</summary>
    public static TimeSpan Timeout { get; } = TimeSpan.FromMinutes(5);

    public string WorkingDirectory { get; } = workingDirectory;

    public Task<ProcessResult> TryRunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken = default) =>
        TryRunWithInputAsync(arguments, null, cancellationToken);

    public Task<ProcessResult> TryRunWithInputAsync(IReadOnlyList<string> arguments, string? standardInput, CancellationToken cancellationToken = default) =>
        TryRunAsync(arguments, standardInput, CommandSpec.DefaultMemoryCapBytes, cancellationToken);

    /// <summary>For output that can exceed the default capture cap (a whole history's log): keeps up to <paramref name="memoryCapBytes"/> of stdout.</summary>
    public Task<ProcessResult> TryRunAsync(IReadOnlyList<string> arguments, string? standardInput, int memoryCapBytes, CancellationToken cancellationToken = default) =>
        TryRunAsync(arguments, standardInput, memoryCapBytes, null, cancellationToken);

    /// <summary>
    /// Runs git. A run that the token cancelled throws <see cref="OperationCanceledException"/>: a git killed by
    /// Ctrl-C must surface as the interruption it is, never as a git failure ("unknown revision", "status failed")
    /// that a caller would report or act on.
    /// </summary>
    internal async Task<ProcessResult> TryRunAsync(IReadOnlyList<string> arguments, string? standardInput, int memoryCapBytes,
        IReadOnlyDictionary<string, string?>? environment, CancellationToken cancellationToken)
    {
        var spec = new CommandSpec("git", arguments, WorkingDirectory)
        {
            Environment = environment is null ? Environment : new Dictionary<string, string?>(Environment.Concat(environment).GroupBy(e => e.Key).Select(g => g.Last())),
            Timeout = Timeout,
            StandardInput = standardInput,
            MemoryCapBytes = memoryCapBytes,
        };
        var result = await runner.RunAsync(spec, cancellationToken);
        if (result.Cancelled)
        {
            throw new OperationCanceledException($"git {string.Join(' ', arguments.Take(3))} was interrupted", cancellationToken);
        }

        return result;
    }

    /// <summary>Runs git, fails like <see cref="RunAsync(IReadOnlyList{string}, CancellationToken)"/>, and returns stdout's raw bytes (paths that are not UTF-8 stay exact).</summary>
    internal async Task<byte[]> RunForBytesAsync(IReadOnlyList<string> arguments, string? standardInput, IReadOnlyDictionary<string, string?>? environment, CancellationToken cancellationToken)
    {
        var result = await TryRunAsync(arguments, standardInput, LargeOutputCapBytes, environment, cancellationToken);
        ThrowIfFailed(arguments, result);
        if (result.OutputTruncated)
        {
            throw new PerfloopException($"git {string.Join(' ', arguments.Take(3))} printed more than {LargeOutputCapBytes >> 20} MB in {WorkingDirectory}", ExitCodes.Failure);
        }

        return result.StdoutHead;
    }

    /// <summary>Path lists and diffs can be long; they are read whole up to this size.</summary>
    internal const int LargeOutputCapBytes = 64 << 20;

    /// <summary>Runs git and returns stdout; a failure becomes a <see cref="PerfloopException"/> naming the git command.</summary>
    public Task<string> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken = default) =>
        RunWithInputAsync(arguments, null, cancellationToken);

    /// <summary>Runs git with <paramref name="standardInput"/> on its stdin and returns stdout; a failure becomes a <see cref="PerfloopException"/>.</summary>
    public Task<string> RunWithInputAsync(IReadOnlyList<string> arguments, string? standardInput, CancellationToken cancellationToken = default) =>
        RunAsync(arguments, standardInput, null, cancellationToken);

    /// <summary>Runs git with stdin and extra environment (a temporary index, say); returns stdout, a failure becomes a <see cref="PerfloopException"/>.</summary>
    public async Task<string> RunAsync(IReadOnlyList<string> arguments, string? standardInput, IReadOnlyDictionary<string, string?>? environment, CancellationToken cancellationToken = default)
    {
        var result = await TryRunAsync(arguments, standardInput, CommandSpec.DefaultMemoryCapBytes, environment, cancellationToken);
        ThrowIfFailed(arguments, result);
        return result.StdoutText;
    }

    void ThrowIfFailed(IReadOnlyList<string> arguments, ProcessResult result)
    {
        if (!result.Succeeded)
        {
            var why = result.TimedOut ? $"timed out after {Timeout.TotalMinutes:0} minutes (is a git lock or hook waiting?)" : FirstLine(result.StderrText);
            throw new PerfloopException(
                $"git {string.Join(' ', arguments.Take(3))} failed in {WorkingDirectory}: {why}",
                ExitCodes.Failure);
        }
    }

    internal static string FirstLine(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            var trimmed = line.Trim();
            if (trimmed.Length > 0)
            {
                return trimmed;
            }
        }

        return "(no message)";
    }

    /// <summary>Splits NUL-separated git output (the -z formats).</summary>
    internal static IReadOnlyList<string> SplitNul(string text) =>
        text.Split('\0', StringSplitOptions.RemoveEmptyEntries);

    internal static string Lines(IEnumerable<string> lines)
    {
        var text = new StringBuilder();
        foreach (var line in lines)
        {
            text.Append(line).Append('\n');
        }

        return text.ToString();
    }
}
