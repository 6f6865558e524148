using System.CommandLine;
using Perfloop.Cli.Rendering;
using Perfloop.Experiments;
using Perfloop.Git;
using Perfloop.Implementers;
using Perfloop.Implementers.Knobs;
using Perfloop.Processes;

namespace Perfloop.Cli.Commands;

static class RunCommand
{
    public static Command Create()
    {
        var candidates = new Option<string?>("--candidates") { Description = "Folder of git format-patch files, tried in file-name order" };
        var agent = new Option<string?>("--agent")
        {
            Description = "Shell command of an AI agent to run per experiment; the prompt path replaces {prompt} (else is appended), and is in $PERFLOOP_PROMPT and on stdin",
        };
        var targets = new Option<string?>("--targets")
        {
            Description = "With --agent: file of targets, one 'target | category | impact | strategy' per line (default: .perfloop/bottlenecks.json)",
        };
        var agentTimeout = NumberOption.Create("--agent-timeout", "With --agent: seconds one agent attempt may take",
            AgentSettings.DefaultTimeoutSeconds, s => s is > 0 and < 1e7, "must be a positive number of seconds below 10 million");
        var knobs = new Option<bool>("--knobs") { Description = "Try .NET runtime/build settings (tiered JIT, GC mode, globalization, ...) in the benchmarked project, one per experiment" };
        var maxExperiments = NumberOption.Optional<int>("--max-experiments", "Stop after this many experiments", n => n is >= 1 and <= 1_000_000, "must be a whole number from 1 to 1000000");
        var maxMinutes = NumberOption.Optional<double>("--max-minutes", "Start no new experiment after this many minutes", m => m is > 0 and <= 1e6, "must be a positive number of minutes up to 1000000");
        var targetSpeedup = NumberOption.Optional<double>("--target-speedup", "Stop once the kept changes reach this cumulative speedup (e.g. 1.5)",
            x => x is > 1 and <= 1e6, "must be a speedup above 1, e.g. 1.5 for 50% faster");
        var allowDirty = new Option<bool>("--allow-dirty") { Description = "Set your uncommitted changes aside (git stash) for the run and give them back at its end" };
        var directory = new Option<string>("--dir") { Description = "Repository to optimize (default: the current directory)", DefaultValueFactory = _ => "." };
        var command = new Command("run", "Run the experiment loop: each candidate (a patch, or an AI agent's change per target) is checked, measured, guarded, then kept as a commit or discarded")
        {
            candidates, agent, knobs, targets, agentTimeout, maxExperiments, maxMinutes, targetSpeedup, allowDirty, directory,
        };
        command.Validators.Add(result =>
        {
            var sources = (result.GetValue(candidates) is null ? 0 : 1) + (result.GetValue(agent) is null ? 0 : 1) + (result.GetValue(knobs) ? 1 : 0);
            if (sources != 1)
            {
                result.AddError("give exactly one of --candidates DIR (a patch queue), --agent \"CMD\" (an AI agent) or --knobs (.NET runtime settings)");
            }
            else if (result.GetValue(agent) is null && (result.GetResult(targets) is { Implicit: false } || result.GetResult(agentTimeout) is { Implicit: false }))
            {
                result.AddError("--targets and --agent-timeout go with --agent");
            }
        });
        command.SetAction((parse, cancellationToken) => CommandLine.GuardAsync(async () =>
        {
            var root = Path.GetFullPath(parse.GetValue(directory)!);
            var candidateDirectory = parse.GetValue(candidates) is { } folder ? Path.GetFullPath(folder) : null;
            IImplementer implementer;
            if (parse.GetValue(knobs))
            {
                var explorer = KnobExplorer.Plan((await GitRepository.OpenAsync(new ProcessRunner(), root, cancellationToken)).Root);
                KnobLines.WritePlan(Console.Error, explorer);
                implementer = explorer;
            }
            else
            {
                implementer = parse.GetValue(agent) is { } command
                    ? await AgentImplementer.OpenAsync(
                        new ProcessRunner(),
                        root,
                        new AgentSettings(command, TimeSpan.FromSeconds(parse.GetValue(agentTimeout))),
                        parse.GetValue(targets) is { } file ? Path.GetFullPath(file) : null,
                        cancellationToken)
                    : new PatchSeries(candidateDirectory!);
            }

            var options = new RunOptions(root, implementer)
            {
                MaxExperiments = parse.GetValue(maxExperiments),
                MaxMinutes = parse.GetValue(maxMinutes),
                TargetSpeedup = parse.GetValue(targetSpeedup),
                AllowDirty = parse.GetValue(allowDirty),
                // A patch queue resumes after an interruption; an agent's or the knob explorer's candidates are made afresh.
                CandidateSource = candidateDirectory is null ? null : "patches:" + candidateDirectory,
            };
            await RunLoopAsync(options, cancellationToken);
            return 0;
        }, cancellationToken));
        return command;
    }

    public static Task<SessionSummary> RunLoopAsync(string directory, IImplementer implementer, int? maxExperiments, CancellationToken cancellationToken) =>
        RunLoopAsync(new RunOptions(directory, implementer) { MaxExperiments = maxExperiments }, cancellationToken);

    public static async Task<SessionSummary> RunLoopAsync(RunOptions options, CancellationToken cancellationToken)
    {
        var reporter = new ConsoleReporter(Console.Out, Console.Error);
        var session = new ExperimentSession(new ProcessRunner(), reporter, TimeProvider.System);
        var summary = await session.RunAsync(options, cancellationToken);
        Console.WriteLine($"done: {summary.Kept} kept of {summary.Experiments} experiments; results in {summary.ResultsPath}");
        return summary;
    }
}
