using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using Perfloop.Errors;

namespace Perfloop.Cli.Commands;

/// <summary>The standard help, followed on the top-level help by the exit codes a script can rely on.</summary>
sealed class HelpWithExitCodesAction(HelpAction standard) : SynchronousCommandLineAction
{
    public static readonly IReadOnlyList<(int Code, string Meaning)> ExitCodeMeanings =
    [
        (ExitCodes.Success, "done"),
        (ExitCodes.Failure, "failure (a command, build or benchmark failed)"),
        (ExitCodes.Usage, "usage or configuration error"),
        (ExitCodes.Regression, "regression found (compare --fail-on-regression, micro-ab)"),
        (ExitCodes.Interrupted, "interrupted (Ctrl-C); the work tree was restored"),
    ];

    public override bool ClearsParseErrors => standard.ClearsParseErrors;

    public override int Invoke(ParseResult parseResult)
    {
        var exitCode = standard.Invoke(parseResult);
        if (!parseResult.CommandResult.Command.Parents.Any())
        {
            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine("Exit codes:");
            foreach (var (code, meaning) in ExitCodeMeanings)
            {
                output.WriteLine($"  {code,-5}{meaning}");
            }

            output.WriteLine();
        }

        return exitCode;
    }
}
