using System.CommandLine;
using Perfloop.Profiling;
using Perfloop.UseCases;

namespace Perfloop.Cli.Commands;

static class ProfileCommand
{
    public static Command Create()
    {
        var output = new Option<string?>("--output") { Description = "Where to keep the profiler's file (default: .perfloop/profile.EXT)" };
        var runtime = new Option<BenchRuntime?>("--runtime") { Description = "The runtime to profile when detection cannot tell: native, python, node, jvm or dotnet" };
        var commandLine = new Argument<string[]>("command")
        {
            Description = "The command to profile, after --: a program and its arguments, or one quoted shell command line",
            Arity = ArgumentArity.OneOrMore,
        };
        var options = RankingOptions.Create();
        var command = new Command("profile", "Run a command under its runtime's profiler (callgrind for native code, cProfile, V8's CPU profiler, JDK Flight Recorder, .NET EventPipe), rank its hot functions and write .perfloop/bottlenecks.json")
        {
            output, runtime, commandLine,
        };
        options.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommandLine.GuardAsync(async () =>
        {
            // The program's own output goes to stderr so stdout stays the table or the JSON.
            var request = new ProfileRequest(parse.Directory(options.Directory), parse.GetValue(commandLine)!)
            {
                TracePath = parse.GetValue(output),
                Runtime = parse.GetValue(runtime),
                OnOutputLine = line => Console.Error.WriteLine(line),
            };
            var outcome = await Tools.ProfileAsync(Cli.Services(machineOutput: true), request, cancellationToken);
            if (!outcome.Process.Succeeded)
            {
                await Console.Error.WriteLineAsync($"perfloop: note: the command exited with code {outcome.Process.ExitCode}; the profile covers the run up to then");
            }

            await Console.Error.WriteLineAsync($"profiled {outcome.Detection.Description} with {outcome.Tool}: {Path.GetRelativePath(Environment.CurrentDirectory, outcome.TracePath)}");
            options.Render(parse, outcome.Ranking);
            return 0;
        }, cancellationToken));
        return command;
    }
}
