using System.CommandLine;
using Perfloop.Cli.Rendering;
using Perfloop.Ranking;
using Perfloop.UseCases;

namespace Perfloop.Cli.Commands;

static class RankCommand
{
    public static Command Create()
    {
        var profile = new Option<string>("--profile") { Description = "Profile to rank: " + ProfileFormats.Described, Required = true };
        var options = RankingOptions.Create();
        var command = new Command("rank", "Rank the bottlenecks of a profile and write .perfloop/bottlenecks.json") { profile };
        options.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommandLine.GuardAsync(async () =>
        {
            var outcome = await Tools.RankAsync(Cli.Services(machineOutput: true), parse.Directory(options.Directory), parse.GetValue(profile)!, cancellationToken);
            options.Render(parse, outcome);
            return 0;
        }, cancellationToken));
        return command;
    }
}

/// <summary>The output options rank and profile share.</summary>
sealed record RankingOptions(Option<string> Directory, Option<int> Top, Option<bool> Json, Option<bool> IncludeExternal)
{
    public static RankingOptions Create() => new(
        Cli.DirectoryOption("Repository the profile belongs to (default: the current directory)"),
        NumberOption.Create("--top", "Rows in the table", 15, n => n is >= 1 and <= 1_000_000, "must be a whole number from 1 to 1000000"),
        new Option<bool>("--json") { Description = "Print bottlenecks.json to stdout instead of the table" },
        new Option<bool>("--include-external") { Description = "Show runtime, library and kernel code in the table too (never a target)" });

    public void AddTo(Command command)
    {
        command.Options.Add(Directory);
        command.Options.Add(Top);
        command.Options.Add(Json);
        command.Options.Add(IncludeExternal);
    }

    public void Render(ParseResult parse, RankingWorkflow.Outcome outcome)
    {
        if (parse.GetValue(Json))
        {
            Console.WriteLine(BottlenecksFile.Serialize(outcome.Ranking));
            return;
        }
        BottleneckTable.Write(Console.Out, outcome.Ranking, parse.GetValue(Top), parse.GetValue(IncludeExternal));
        Console.WriteLine($"wrote {Path.GetRelativePath(Environment.CurrentDirectory, outcome.BottlenecksPath)}");
    }
}
