namespace Perfloop.Errors;

/// <summary>
/// An expected failure the user can fix: the top level prints <see cref="Exception.Message"/> as one line
/// and exits with <see cref="ExitCode"/>, never a stack trace.
/// </summary>
public class PerfloopException(string message, int exitCode = ExitCodes.Usage, Exception? inner = null)
    : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;
}

public static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int Usage = 2;
    public const int Regression = 3;
    public const int Interrupted = 130;
}
