using System.CommandLine;
using Perfloop.Cli.Rendering;
using Perfloop.Errors;
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
        var agentTimeout = new Option<double>("--agent-timeout")
        {
            Description = "With --agent: seconds one agent attempt may take",
            DefaultValueFactory = _ => AgentSettings.DefaultTimeoutSeconds,
        };
        var knobs = new Option<bool>("--knobs") { Description = "Try .NET runtime/build settings (tiered JIT, GC mode, globalization, ...) in the benchmarked project, one per experiment" };
        var maxExperiments = new Option<int?>("--max-experiments") { Description = "Stop after this many experiments" };
        var maxMinutes = new Option<double?>("--max-minutes") { Description = "Start no new experiment after this many minutes" };
        var targetSpeedup = new Option<double?>("--target-speedup") { Description = "Stop once the kept changes reach this cumulative speedup (e.g. 1.5)" };
        var skipRotated = new Option<bool>("--skip-rotated")
        {
            Description = "With --candidates: skip a patch whose Strategy was rotated out after repeated discards (by default it moves to the back of the queue and is still judged)",
        };
        var allowDirty = new Option<bool>("--allow-dirty") { Description = "Set your uncommitted changes aside (git stash) for the run and give them back at its end" };
        var directory = new Option<string>("--dir") { Description = "Repository to optimize (default: the current directory)", DefaultValueFactory = _ => "." };
        var command = new Command("run", "Run the experiment loop: each candidate (a patch, or an AI agent's change per target) is checked, measured, guarded, then kept as a commit or discarded")
        {
            candidates, agent, knobs, targets, agentTimeout, maxExperiments, maxMinutes, targetSpeedup, skipRotated, allowDirty, directory,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(maxExperiments) is < 1)
            {
                result.AddError("--max-experiments must be at least 1");
            }

            if (result.GetValue(maxMinutes) is <= 0)
            {
                result.AddError("--max-minutes must be positive");
            }

            if (result.GetValue(targetSpeedup) is <= 1)
            {
                result.AddError("--target-speedup must be above 1 (e.g. 1.5 for 50% faster)");
            }

            var sources = (result.GetValue(candidates) is null ? 0 : 1) + (result.GetValue(agent) is null ? 0 : 1) + (result.GetValue(knobs) ? 1 : 0);
            if (sources != 1)
            {
                result.AddError("give exactly one of --candidates DIR (a patch queue), --agent \"CMD\" (an AI agent) or --knobs (.NET runtime settings)");
            }
            else if (result.GetValue(agent) is null && (result.GetResult(targets) is { Implicit: false } || result.GetResult(agentTimeout) is { Implicit: false }))
            {
                result.AddError("--targets and --agent-timeout go with --agent");
            }
            else if (result.GetValue(candidates) is null && result.GetValue(skipRotated))
            {
                result.AddError("--skip-rotated goes with --candidates (a patch queue)");
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
                        new AgentSettings(command, parse.GetValue(agentTimeout) is > 0 and < 1e7 and var seconds
                            ? TimeSpan.FromSeconds(seconds)
                            : throw new PerfloopException("--agent-timeout: must be a positive number of seconds (below 10 million)")),
                        parse.GetValue(targets) is { } file ? Path.GetFullPath(file) : null,
                        cancellationToken)
                    : await PatchSeries.LoadAsync(candidateDirectory!, new ProcessRunner(), cancellationToken);
            }

            var options = new RunOptions(root, implementer)
            {
                MaxExperiments = parse.GetValue(maxExperiments),
                MaxMinutes = parse.GetValue(maxMinutes),
                TargetSpeedup = parse.GetValue(targetSpeedup),
                AllowDirty = parse.GetValue(allowDirty),
                SkipRotated = parse.GetValue(skipRotated),
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
