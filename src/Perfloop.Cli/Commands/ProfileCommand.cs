using System.CommandLine;
using Perfloop.Ranking;
using Perfloop.UseCases;

namespace Perfloop.Cli.Commands;

static class ProfileCommand
{
    public static Command Create()
    {
        var output = new Option<string?>("--output") { Description = "Where to keep the .nettrace (default: .perfloop/profile.nettrace)" };
        var commandLine = new Argument<string[]>("command")
        {
            Description = "The .NET command to profile, after --: a program and its arguments, or one quoted shell command line",
            Arity = ArgumentArity.OneOrMore,
        };
        var options = RankingOptions.Create();
        var command = new Command("profile", "Run a .NET command under EventPipe CPU sampling (no external tool), rank its hot methods and write .perfloop/bottlenecks.json")
        {
            output, commandLine,
        };
        options.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommandLine.GuardAsync(async () =>
        {
            // The program's own output goes to stderr so stdout stays the table or the JSON.
            var request = new ProfileRequest(parse.Directory(options.Directory), parse.GetValue(commandLine)!)
            {
                TracePath = parse.GetValue(output),
                OnOutputLine = line => Console.Error.WriteLine(line),
            };
            var outcome = await Tools.ProfileAsync(Cli.Services(machineOutput: true), request, cancellationToken);
            if (!outcome.Process.Succeeded)
                await Console.Error.WriteLineAsync($"perfloop: note: the command exited with code {outcome.Process.ExitCode}; the profile covers the run up to then");
            await Console.Error.WriteLineAsync($"trace: {Path.GetRelativePath(Environment.CurrentDirectory, outcome.TracePath)}");
            options.Render(parse, outcome.Ranking);
            return 0;
        }, cancellationToken));
        return command;
    }
}
