using System.Diagnostics;
using System.Text;

namespace Perfloop.IntegrationTests.Fixtures;

/// <summary>A started process's stdout and stderr, collected line by line as they arrive, for a test to watch and read.</summary>
public sealed class ProcessOutput
{
    readonly Process process;
    readonly StringBuilder stdout = new();
    readonly StringBuilder stderr = new();
    readonly TaskCompletionSource done = new();
    int openStreams = 2;

    /// <summary>Starts reading <paramref name="process"/>'s redirected stdout and stderr.</summary>
    public ProcessOutput(Process process)
    {
        this.process = process;
        process.OutputDataReceived += (_, e) => Collect(stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Collect(stderr, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string StdoutSoFar
    {
        get
        {
            lock (stdout)
            {
                return stdout.ToString();
            }
        }
    }

    /// <summary>Waits until stdout contains <paramref name="text"/>; false if the process ends or time runs out first.</summary>
    public bool WaitForStdout(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (StdoutSoFar.Contains(text, StringComparison.Ordinal))
            {
                return true;
            }

            if (process.HasExited)
            {
                return StdoutSoFar.Contains(text, StringComparison.Ordinal);
            }

            Thread.Sleep(10);
        }

        return false;
    }

    /// <summary>All of stdout and stderr once the process has exited (its streams may still be draining: a short wait).</summary>
    public (string Stdout, string Stderr) AfterExit()
    {
        done.Task.Wait(TimeSpan.FromSeconds(10));
        lock (stdout)
        {
            lock (stderr)
            {
                return (stdout.ToString(), stderr.ToString());
            }
        }
    }

    void Collect(StringBuilder target, string? line)
    {
        if (line is null)
        {
            if (Interlocked.Decrement(ref openStreams) == 0)
            {
                done.TrySetResult();
            }

            return;
        }

        lock (target)
        {
            target.Append(line).Append('\n');
        }
    }
}
