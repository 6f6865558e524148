using System.CommandLine;
using Perfloop.Errors;
using Perfloop.Mcp;

namespace Perfloop.Cli.Commands;

/// <summary><c>perfloop mcp</c>: serve the step tools over MCP on stdio; status lines and errors go to stderr.</summary>
static class McpCommand
{
    public static Command Create()
    {
        var directory = Cli.DirectoryOption("Repository the tools work on (default: the current directory)");
        var command = new Command("mcp", "Serve Perfloop's experiment steps and status as MCP tools over stdio, for an AI agent")
        {
            directory,
        };
        command.SetAction((parse, cancellationToken) => CommandLine.GuardAsync(async () =>
        {
            var root = parse.Directory(directory);
            if (!Directory.Exists(root))
            {
                throw new PerfloopException($"--dir: directory not found: {root}");
            }

            try
            {
                // Stdout belongs to the protocol: every line the loop prints goes to stderr.
                await PerfloopMcpServer.RunAsync(root, Cli.Services(machineOutput: true), cancellationToken);
                return 0;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // An experiment in progress stays journaled for the agent to finish or abandon; nothing to restore here.
                return ExitCodes.Interrupted;
            }
        }, cancellationToken));
        return command;
    }
}
