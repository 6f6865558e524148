namespace Perfloop.Processes;

/// <summary>
/// The process runner for every external command. On 64-bit Linux it uses posix_spawn + wait4 for exact
/// per-child CPU and peak RSS and kills the child's whole process group; elsewhere it falls back to
/// <see cref="System.Diagnostics.Process"/> with CPU and RSS reported as unknown.
/// </summary>
public sealed class ProcessRunner : IProcessRunner
{
    /// <inheritdoc />
    public Task<ProcessResult> RunAsync(CommandSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        try
        {
            return OperatingSystem.IsLinux() && Environment.Is64BitProcess
                ? LinuxProcessRunner.RunAsync(spec, cancellationToken)
                : PortableProcessRunner.RunAsync(spec, cancellationToken);
        }
        catch (ProcessStartException exception)
        {
            // Start failures surface through the task like every other outcome of an async run.
            return Task.FromException<ProcessResult>(exception);
        }
    }
}
