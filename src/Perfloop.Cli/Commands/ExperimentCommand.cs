using System.CommandLine;
using Perfloop.Cli.Rendering;
using Perfloop.Experiments;
using Perfloop.Implementers;
using Perfloop.UseCases;

namespace Perfloop.Cli.Commands;

/// <summary>
/// <c>perfloop experiment start|check|bench|guard|decide|abandon</c>: the loop's steps for an outside agent.
/// With <c>--json</c> stdout holds only the step's JSON (schema perfloop.step/v1) and status lines go to stderr.
/// </summary>
static class ExperimentCommand
{
    public static Command Create()
    {
        var command = new Command("experiment", "Run one experiment step by step (for an AI agent or a person driving the loop)");

        var target = new Option<string>("--target") { Description = "What is being optimized, e.g. 'WordCounter.Count'", Required = true };
        var category = new Option<string>("--category") { Description = "Kind of bottleneck, e.g. algorithm, allocation, io", DefaultValueFactory = _ => "" };
        var impact = new Option<string>("--impact") { Description = "Estimated impact, e.g. '~40% of runtime'", DefaultValueFactory = _ => "" };
        var strategy = new Option<string>("--strategy") { Description = "Strategy of the domain's rotation, e.g. data-structure", DefaultValueFactory = _ => "" };
        var summary = new Option<string?>("--summary") { Description = "One-line summary of the change" };
        var allowDirty = new Option<bool>("--allow-dirty") { Description = "Set your uncommitted changes aside (git stash) until the experiment is decided or abandoned" };
        var noGuard = new Option<bool>("--no-guard") { Description = "Run although perfloop.json has no \"guard\" (every row then says no_guard)" };
        var start = Step("start", "Open the next experiment: print its Target line and capture the oracle on the unchanged code", [target, category, impact, strategy, summary, allowDirty, noGuard],
            (services, directory, parse, ct) => ExperimentSteps.StartAsync(services, new StartExperimentOptions(
                directory,
                new CandidateInfo(parse.GetValue(summary) ?? "", parse.GetValue(target)!, parse.GetValue(category)!, parse.GetValue(strategy)!, parse.GetValue(impact)!))
            {
                AllowDirty = parse.GetValue(allowDirty),
                WithoutGuard = parse.GetValue(noGuard),
            }, ct));

        var checkSummary = new Option<string?>("--summary") { Description = "One-line summary of the change you made" };
        var check = Step("check", "Verify the change: protected paths, build, output equivalence with the oracle", [checkSummary],
            (services, directory, parse, ct) => ExperimentSteps.CheckAsync(services, new CheckExperimentOptions(directory, parse.GetValue(checkSummary)), ct));
        var bench = Step("bench", "Benchmark baseline against the change, interleaved, until the verdict is clear", [],
            (services, directory, _, ct) => ExperimentSteps.BenchAsync(services, new RepositoryOptions(directory), ct));
        var guard = Step("guard", "Run the guard (the tests) after the benchmark", [],
            (services, directory, _, ct) => ExperimentSteps.GuardAsync(services, new RepositoryOptions(directory), ct));
        var reworks = NumberOption.Create("--max-reworks", "Guard failures the change may be reworked after (spec: 2)", 2, n => n is >= 0 and <= 100, "must be a whole number from 0 to 100");
        var decide = Step("decide", "KEEP (commit) or DISCARD (restore) by the decision tree, and record the row", [reworks],
            (services, directory, parse, ct) => ExperimentSteps.DecideAsync(services, new DecideExperimentOptions(directory, parse.GetValue(reworks)), ct));
        var abandon = Step("abandon", "Drop the experiment in progress: keep its diff, restore the tree, record a crash row", [],
            (services, directory, _, ct) => ExperimentSteps.AbandonAsync(services, new RepositoryOptions(directory), ct));

        foreach (var step in new[] { start, check, bench, guard, decide, abandon })
        {
            command.Subcommands.Add(step);
        }

        return command;
    }

    static Command Step(string name, string description, IReadOnlyList<Option> options, Func<EngineServices, string, ParseResult, CancellationToken, Task<StepReport>> call)
    {
        var json = new Option<bool>("--json") { Description = "Print the step's result as JSON (schema perfloop.step/v1) on stdout" };
        var directory = Cli.DirectoryOption();
        var command = new Command(name, description) { json, directory };
        foreach (var option in options)
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) => CommandLine.GuardAsync(async () =>
        {
            var asJson = parse.GetValue(json);
            var report = NextStepWords.Render(await call(Cli.Services(machineOutput: asJson), parse.Directory(directory), parse, cancellationToken));
            if (asJson)
            {
                JsonOutput.Write(report);
            }
            else
            {
                if (report.Decision is null && report.Problem is { } problem)
                {
                    Console.WriteLine(Errors.Mention.ForCommandLine($"{StatusLines.Prefix(report.Experiment)} problem: {problem}"));
                }

                Console.WriteLine($"next: {report.Next}");
            }

            return 0;
        }, cancellationToken));
        return command;
    }
}
