using Perfloop.Errors;

namespace Perfloop.Processes;

/// <summary>A command could not be started at all, e.g. "cannot start 'foo': No such file or directory".</summary>
public sealed class ProcessStartException(string fileName, string reason, int errorNumber = 0, Exception? inner = null)
    : PerfloopException($"cannot start '{fileName}': {reason}", ExitCodes.Usage, inner)
{
    public string FileName { get; } = fileName;

    /// <summary>The errno reported by the OS, 0 when not from a system call.</summary>
    public int ErrorNumber { get; } = errorNumber;
}
