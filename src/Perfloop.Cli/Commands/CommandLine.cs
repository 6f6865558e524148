using System.CommandLine;
using Perfloop.Errors;

namespace Perfloop.Cli.Commands;

/// <summary>Builds the command tree and turns every expected failure into one line on stderr and an exit code.</summary>
static class CommandLine
{
    public static async Task<int> InvokeAsync(string[] args)
    {
        var root = new RootCommand("Perfloop: a performance-optimization experiment loop with verdicts you can trust.")
        {
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
        };

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            var verb = parse.CommandResult.Command == root ? "" : " " + parse.CommandResult.Command.Name;
            await Console.Error.WriteLineAsync($"perfloop: {parse.Errors[0].Message} (see 'perfloop{verb} --help')");
            return ExitCodes.Usage;
        }

        var configuration = new InvocationConfiguration
        {
            EnableDefaultExceptionHandler = false,
            // The loop restores the work tree on Ctrl-C; it must not be cut short.
            ProcessTerminationTimeout = null,
        };
        return await parse.InvokeAsync(configuration);
    }

    /// <summary>Runs a command body: expected errors print one line, interruption exits 130, nothing prints a stack trace.</summary>
    public static async Task<int> GuardAsync(Func<Task<int>> body, CancellationToken cancellationToken)
    {
        try
        {
            return await body();
        }
        catch (PerfloopException e)
        {
            await Console.Error.WriteLineAsync($"perfloop: {e.Message}");
            return e.ExitCode;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("perfloop: interrupted; the work tree was restored");
            return ExitCodes.Interrupted;
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
