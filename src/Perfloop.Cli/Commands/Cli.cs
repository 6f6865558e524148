using System.CommandLine;
using Perfloop.Cli.Rendering;
using Perfloop.Experiments;
using Perfloop.Processes;

namespace Perfloop.Cli.Commands;

/// <summary>What every command shares: the engine's services (one process runner for the whole invocation) and the --dir option.</summary>
static class Cli
{
    static readonly ProcessRunner Runner = new();

    /// <summary>
    /// The engine's services for this invocation. Status lines go to stdout, unless stdout carries machine output
    /// (<paramref name="machineOutput"/>, e.g. --json), then to stderr.
    /// </summary>
    public static EngineServices Services(bool machineOutput = false) =>
        new(Runner, ConsoleReporter.ForConsole(machineOutput), TimeProvider.System);

    public static Option<string> DirectoryOption(string description = "Repository (default: the current directory)") =>
        new("--dir") { Description = description, DefaultValueFactory = _ => "." };

    public static string Directory(this ParseResult parse, Option<string> option) => Path.GetFullPath(parse.GetValue(option)!);
}
