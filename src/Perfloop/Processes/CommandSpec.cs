namespace Perfloop.Processes;

/// <summary>
/// One external command: a program and its argument list (passed verbatim, never joined into a string),
/// run in <paramref name="WorkingDirectory"/>.
/// </summary>
/// <param name="FileName">A path (contains '/'; relative paths are resolved against the working directory)
/// or a bare name looked up on PATH — the child's PATH after <see cref="Environment"/> is applied.</param>
/// <param name="Arguments">Passed to the program one by one, exactly as given.</param>
/// <param name="WorkingDirectory">The child's current directory; it must exist.</param>
public sealed record CommandSpec(string FileName, IReadOnlyList<string> Arguments, string WorkingDirectory)
{
    public const int DefaultMemoryCapBytes = 1 << 20;
    public const long DefaultLogCapBytes = 64L << 20;

    /// <summary>
    /// Always removed from the child's environment (unless <see cref="Environment"/> sets them): a Perfloop
    /// started from a git hook would otherwise make every git command in the child use the wrong repository.
    /// </summary>
    public static IReadOnlyList<string> StrippedEnvironmentVariables { get; } = ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"];

    /// <summary>Changes on top of Perfloop's own environment: a value sets the variable, <c>null</c> removes it.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>Wall-clock limit; <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> for none.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Time between SIGTERM and SIGKILL to the process group on timeout or cancellation.</summary>
    public TimeSpan TerminationGracePeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// After the main child exits, how long to keep reading output that background members of its process
    /// group still write, before the group is killed and reading stops (a leftover holding the pipe would
    /// otherwise hang the run).
    /// </summary>
    public TimeSpan LeftoverOutputWait { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Written to the child's stdin as UTF-8, then stdin is closed; <c>null</c> gives /dev/null.</summary>
    public string? StandardInput { get; init; }

    /// <summary>How many bytes of each of stdout and stderr are kept in memory (the head).</summary>
    public int MemoryCapBytes { get; init; } = DefaultMemoryCapBytes;

    /// <summary>Optional file receiving the stdout stream, up to <see cref="LogCapBytes"/>.</summary>
    public string? StdoutLogPath { get; init; }

    /// <summary>Optional file receiving the stderr stream, up to <see cref="LogCapBytes"/>.</summary>
    public string? StderrLogPath { get; init; }

    public long LogCapBytes { get; init; } = DefaultLogCapBytes;

    /// <summary>
    /// Optional live callbacks, one call per line (decoded lossily, line end removed). They run on the thread
    /// that supervises the child, so they must be quick; an exception stops the callbacks and faults the run
    /// once the child is cleaned up.
    /// </summary>
    public Action<string>? OnStdoutLine { get; init; }

    public Action<string>? OnStderrLine { get; init; }

    /// <summary>
    /// Report the command's own peak RSS exactly, even far below Perfloop's own (Linux; see
    /// <see cref="ExactPeakRssLauncher"/>): the command is started through a small launcher shell, costing one
    /// shell start outside the timed window. Without it a peak RSS not above Perfloop's own is reported as unknown.
    /// </summary>
    public bool ExactPeakRss { get; init; }

    /// <summary>A user-given shell command line, run as <c>/bin/sh -c commandLine</c>.</summary>
    public static CommandSpec Shell(string commandLine, string workingDirectory) =>
        new("/bin/sh", ["-c", commandLine], workingDirectory);

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(FileName);
        ArgumentNullException.ThrowIfNull(Arguments);
        ArgumentException.ThrowIfNullOrEmpty(WorkingDirectory);
        ArgumentNullException.ThrowIfNull(Environment);
        if (FileName.Contains('\0', StringComparison.Ordinal) || Arguments.Any(a => a is null || a.Contains('\0', StringComparison.Ordinal)))
        {
            throw new ArgumentException("Program name and arguments must not be null or contain NUL characters.");
        }

        if (Environment.Keys.Any(k => k.Length == 0 || k.Contains('=', StringComparison.Ordinal) || k.Contains('\0', StringComparison.Ordinal)))
        {
            throw new ArgumentException("Environment variable names must be non-empty and contain neither '=' nor NUL.");
        }

        if (Timeout <= TimeSpan.Zero && Timeout != System.Threading.Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(Timeout), Timeout, "Timeout must be positive or infinite.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(TerminationGracePeriod, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(LeftoverOutputWait, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(MemoryCapBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(LogCapBytes);
    }

    /// <summary>The child's environment: Perfloop's own, minus <see cref="StrippedEnvironmentVariables"/>, plus <see cref="Environment"/>.</summary>
    internal Dictionary<string, string> BuildEnvironment()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            result[(string)entry.Key] = (string?)entry.Value ?? "";
        }

        foreach (var name in StrippedEnvironmentVariables)
        {
            result.Remove(name);
        }

        foreach (var (name, value) in Environment)
        {
            if (value is null)
            {
                result.Remove(name);
            }
            else
            {
                result[name] = value;
            }
        }
        return result;
    }
}
