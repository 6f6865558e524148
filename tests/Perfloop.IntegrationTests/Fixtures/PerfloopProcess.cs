using System.Diagnostics;

namespace Perfloop.IntegrationTests.Fixtures;

/// <summary>Runs the real perfloop CLI (the built Perfloop.Cli.dll next to the tests) as a child process.</summary>
public static class PerfloopProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Run(string workingDirectory, params string[] arguments) => RunWithin(TimeSpan.FromMinutes(5), workingDirectory, arguments);

    public static Result RunWithin(TimeSpan limit, string workingDirectory, params string[] arguments)
    {
        using var running = Start(workingDirectory, null, arguments);
        return running.WaitForExit(limit);
    }

    public static Result Run(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        using var running = Start(workingDirectory, environment, arguments);
        return running.WaitForExit(TimeSpan.FromMinutes(5));
    }

    public static Running Start(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "Perfloop.Cli.dll");
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(cli);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return new Running(Process.Start(start)!, arguments);
    }

    /// <summary>A perfloop process still running: its output so far, signals, and its peak memory.</summary>
    public sealed class Running : IDisposable
    {
        readonly Process process;
        readonly string[] arguments;
        readonly ProcessOutput output;

        internal Running(Process process, string[] arguments)
        {
            this.process = process;
            this.arguments = arguments;
            output = new ProcessOutput(process);
        }

        public int Pid => process.Id;

        public string StdoutSoFar => output.StdoutSoFar;

        /// <summary>Waits until stdout contains <paramref name="text"/>; false if the process ends or time runs out first.</summary>
        public bool WaitForOutput(string text, TimeSpan timeout) => output.WaitForStdout(text, timeout);

        /// <summary>Sends a signal the way a terminal or a supervisor does (kill -INT, kill -KILL …).</summary>
        public void Signal(string signal)
        {
            using var kill = Process.Start("kill", ["-" + signal, Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
        }

        /// <summary>The process's peak resident set (VmHWM) as last seen in /proc; 0 once it is gone.</summary>
        public long PeakRssBytes()
        {
            try
            {
                foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
                {
                    if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    {
                        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
                    }
                }
            }
            catch (IOException)
            {
            }

            return 0;
        }

        public Result WaitForExit(TimeSpan timeout)
        {
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"perfloop {string.Join(' ', arguments)} did not finish in {timeout}");
            }

            var (stdout, stderr) = output.AfterExit();
            return new Result(process.ExitCode, stdout, stderr);
        }

        public void Dispose()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }

            process.Dispose();
        }
    }
}
