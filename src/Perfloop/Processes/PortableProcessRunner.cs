using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Perfloop.Processes;

/// <summary>
/// Fallback for platforms other than 64-bit Linux, so the tool still runs there: same capture, timeout
/// and cancellation behaviour, but CPU and peak RSS are unknown and only the process tree (not a process
/// group) is killed.
/// </summary>
static class PortableProcessRunner
{
    public static async Task<ProcessResult> RunAsync(CommandSpec spec, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ProcessResult.CancelledBeforeStart();
        }

        var workingDirectory = Path.GetFullPath(spec.WorkingDirectory);
        if (!Directory.Exists(workingDirectory))
        {
            throw new ProcessStartException(spec.FileName, $"working directory '{workingDirectory}' does not exist");
        }

        var startInfo = new ProcessStartInfo(spec.FileName)
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in spec.Arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment.Clear();
        foreach (var (name, value) in spec.BuildEnvironment())
        {
            startInfo.Environment[name] = value;
        }
        // The mark is set here too (recovery by loop id reads it); the end-of-command sweep needs Linux's /proc.
        startInfo.Environment[ProcessOwnership.VariableName] = ProcessOwnership.NextMark().Value;

        using var stdout = new OutputCapture(spec.MemoryCapBytes, spec.StdoutLogPath, spec.LogCapBytes, computeHash: true, spec.OnStdoutLine);
        using var stderr = new OutputCapture(spec.MemoryCapBytes, spec.StderrLogPath, spec.LogCapBytes, computeHash: false, spec.OnStderrLine);
        using var process = new Process { StartInfo = startInfo };
        var startTimestamp = Stopwatch.GetTimestamp();
        try
        {
            process.Start();
        }
        catch (Win32Exception exception)
        {
            throw new ProcessStartException(spec.FileName, exception.Message, exception.NativeErrorCode, exception);
        }

        using var stopReading = new CancellationTokenSource();
        var stdoutPump = PumpAsync(process.StandardOutput.BaseStream, stdout, stopReading.Token);
        var stderrPump = PumpAsync(process.StandardError.BaseStream, stderr, stopReading.Token);
        var stdinPump = FeedStdinAsync(process.StandardInput, spec.StandardInput);

        using var timeout = new CancellationTokenSource();
        if (spec.Timeout != Timeout.InfiniteTimeSpan)
        {
            timeout.CancelAfter(spec.Timeout);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        bool timedOut = false, cancelled = false;
        try
        {
            await process.WaitForExitAsync(stop.Token);
        }
        catch (OperationCanceledException)
        {
            cancelled = cancellationToken.IsCancellationRequested;
            timedOut = !cancelled;
            KillTree(process);
            await process.WaitForExitAsync(CancellationToken.None);
        }
        var wallTime = Stopwatch.GetElapsedTime(startTimestamp);

        var pumps = Task.WhenAll(stdoutPump, stderrPump, stdinPump);
        if (await Task.WhenAny(pumps, Task.Delay(spec.LeftoverOutputWait, CancellationToken.None)) != pumps)
        {
            KillTree(process);
            await stopReading.CancelAsync();
        }
        await pumps;
        stdout.Complete();
        stderr.Complete();
        (stdout.CallbackFailure ?? stderr.CallbackFailure)?.Throw();

        var exitCode = process.ExitCode;
        return new ProcessResult(exitCode, null, timedOut, cancelled, wallTime, null, null, null,
            stdout.Head(), stderr.Head(), stdout.TotalBytes, stderr.TotalBytes, stdout.Sha256Hex(),
            stdout.HeadTruncated || stderr.HeadTruncated, stdout.LogTruncated || stderr.LogTruncated);
    }

    static async Task PumpAsync(Stream source, OutputCapture capture, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int bytesRead;
            while ((bytesRead = await source.ReadAsync(buffer, cancellationToken)) > 0)
            {
                capture.Append(buffer.AsSpan(0, bytesRead));
            }
        }
        catch (OperationCanceledException)
        {
            // A leftover process still holds the pipe; what it writes from now on is not ours.
        }
        catch (IOException)
        {
        }
    }

    static async Task FeedStdinAsync(StreamWriter stdin, string? text)
    {
        try
        {
            if (text is not null)
            {
                await stdin.BaseStream.WriteAsync(Encoding.UTF8.GetBytes(text));
                await stdin.BaseStream.FlushAsync();
            }
        }
        catch (IOException)
        {
            // The child closed stdin early.
        }
        finally
        {
            stdin.Dispose();
        }
    }

    static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }
}
