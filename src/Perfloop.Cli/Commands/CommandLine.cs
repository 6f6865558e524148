using System.CommandLine;
using System.CommandLine.Help;
using System.Runtime.InteropServices;
using Perfloop.Errors;

namespace Perfloop.Cli.Commands;

/// <summary>Builds the command tree and turns every expected failure into one line on stderr and an exit code.</summary>
static class CommandLine
{
    public static async Task<int> InvokeAsync(string[] args)
    {
        // The handlers come first: a Ctrl-C while the command tree is built and parsed must already mean "stop, exit 130".
        using var interrupted = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => Interrupt(context, interrupted));
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => Interrupt(context, interrupted));
        var root = BuildRoot();
        ParseResult parse;
        try
        {
            parse = root.Parse(args);
        }
        catch (InvalidOperationException e)
        {
            // A validator that read an unparsable value (System.CommandLine throws instead of reporting it): still one line.
            await Console.Error.WriteLineAsync($"perfloop: {e.Message} (see 'perfloop --help')");
            return ExitCodes.Usage;
        }

        if (parse.Errors.Count > 0)
        {
            var verb = parse.CommandResult.Command == root ? "" : " " + parse.CommandResult.Command.Name;
            await Console.Error.WriteLineAsync($"perfloop: {parse.Errors[0].Message} (see 'perfloop{verb} --help')");
            return ExitCodes.Usage;
        }

        if (interrupted.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("perfloop: interrupted before anything started");
            return ExitCodes.Interrupted;
        }

        var configuration = new InvocationConfiguration
        {
            EnableDefaultExceptionHandler = false,
            // Termination is handled above: the loop restores the work tree on Ctrl-C and must not be cut short.
            ProcessTerminationTimeout = null,
        };
        try
        {
            return await parse.InvokeAsync(configuration, interrupted.Token);
        }
        finally
        {
            // Nothing outlives the loop, even a process that slipped past the end-of-command sweep.
            Perfloop.Processes.ProcessOwnership.EndOwnLeftovers();
        }
    }

    /// <summary>The whole command tree (also walked by tests, which check every numeric option's parse errors).</summary>
    /// <remarks>
    /// A plain command named "perfloop" rather than a RootCommand: RootCommand takes its name from the executable,
    /// which is Perfloop.Cli for the dotnet tool, so help would say "Usage: Perfloop.Cli".
    /// </remarks>
    internal static Command BuildRoot() =>
        new("perfloop", "Perfloop: a performance-optimization experiment loop with verdicts you can trust.")
        {
            new HelpOption { Action = new HelpWithExitCodesAction(new HelpAction()) },
            new VersionOption(),
            InitCommand.Create(),
            RunCommand.Create(),
            DemoCommand.Create(),
            CalibrateCommand.Create(),
            VerdictCommand.Create(),
            ExperimentCommand.Create(),
            StatusCommand.Create(),
            HistoryCommand.Create(),
            CompareCommand.Create(),
            ReportCommand.Create(),
            ProfileCommand.Create(),
            RankCommand.Create(),
            MethodOracleCommand.Create(),
            MicroAbCommand.Create(),
            KnobsCommand.Create(),
            McpCommand.Create(),
            ClusterJobCommand.Create(),
        };

    /// <summary>The first Ctrl-C (or SIGTERM) cancels the command, which then cleans up; a second one ends the process at once.</summary>
    static void Interrupt(PosixSignalContext context, CancellationTokenSource interrupted)
    {
        if (interrupted.IsCancellationRequested)
        {
            return;
        }

        context.Cancel = true;
        // Indented: a progress line. The one line that says how the command ended comes from GuardAsync.
        Console.Error.WriteLine("  interrupting: restoring the work tree (press Ctrl-C again to stop at once)");
        interrupted.Cancel();
    }

    /// <summary>Runs a command body: expected errors print one line, interruption exits 130, nothing prints a stack trace.</summary>
    public static async Task<int> GuardAsync(Func<Task<int>> body, CancellationToken cancellationToken)
    {
        try
        {
            var exitCode = await body();
            if (cancellationToken.IsCancellationRequested)
            {
                // Ctrl-C after the last cancellable step: the work is done, but the user asked to stop and gets 130.
                await Console.Error.WriteLineAsync("perfloop: interrupted; the command had already finished its work");
                return ExitCodes.Interrupted;
            }

            return exitCode;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("perfloop: interrupted; the work tree was restored");
            return ExitCodes.Interrupted;
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is PerfloopException or IOException)
        {
            // A step cut short by Ctrl-C may fail before it sees the cancellation; the user still pressed Ctrl-C.
            await Console.Error.WriteLineAsync($"perfloop: interrupted; {Mention.ForCommandLine(e.Message)}");
            return ExitCodes.Interrupted;
        }
        catch (PerfloopException e)
        {
            await Console.Error.WriteLineAsync($"perfloop: {Mention.ForCommandLine(e.Message)}");
            return e.ExitCode;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"perfloop: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (Exception e)
        {
            await Console.Error.WriteLineAsync($"perfloop: internal error ({e.GetType().Name}): {e.Message}; please report it with the command you ran");
            if (Environment.GetEnvironmentVariable("PERFLOOP_DEBUG") == "1")
            {
                await Console.Error.WriteLineAsync(e.ToString());
            }

            return ExitCodes.Failure;
        }
    }
}
