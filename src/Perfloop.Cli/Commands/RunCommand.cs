using System.CommandLine;
using Perfloop.Configuration;
using Perfloop.Implementers;
using Perfloop.UseCases;

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
        var skipRotated = new Option<bool>("--skip-rotated")
        {
            Description = "With --candidates: skip a patch whose Strategy was rotated out after repeated discards (by default it moves to the back of the queue and is still judged)",
        };
        var executor = new Option<string?>("--executor") { Description = "Where candidates are evaluated: local (one at a time on this machine) or slurm (cluster jobs, one node each); default: perfloop.json's executor" };
        executor.AcceptOnlyFromAmong("local", "slurm");
        var jobs = NumberOption.Optional<int>("--jobs", "With a cluster executor: candidates evaluated at once (default: perfloop.json's executor.jobs, else 2)",
            n => n >= 1 && n <= ExecutorSettings.MaxJobs, $"must be a whole number of jobs from 1 to {ExecutorSettings.MaxJobs}");
        var noGuard = new Option<bool>("--no-guard") { Description = "Run although perfloop.json has no \"guard\" (a change that breaks the tests could then be kept; every row says no_guard)" };
        var directory = Cli.DirectoryOption("Repository to optimize (default: the current directory)");
        var command = new Command("run", "Run the experiment loop: each candidate (a patch, or an AI agent's change per target) is checked, measured, guarded, then kept as a commit or discarded")
        {
            candidates, agent, knobs, targets, agentTimeout, maxExperiments, maxMinutes, targetSpeedup, skipRotated, executor, jobs, allowDirty, noGuard, directory,
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
            else if (result.GetValue(candidates) is null && result.GetValue(skipRotated))
            {
                result.AddError("--skip-rotated goes with --candidates (a patch queue)");
            }
        });
        command.SetAction((parse, cancellationToken) => CommandLine.GuardAsync(async () =>
        {
            CandidateSource source = parse.GetValue(knobs)
                ? new RuntimeKnobs()
                : parse.GetValue(agent) is { } agentCommand
                    ? new AgentCommand(
                        agentCommand,
                        // An impossible timeout reaches the engine as zero, which refuses it with one line.
                        parse.GetValue(agentTimeout) is > 0 and < 1e7 and var seconds ? TimeSpan.FromSeconds(seconds) : TimeSpan.Zero,
                        parse.GetValue(targets) is { } file ? Path.GetFullPath(file) : null)
                    : new PatchFolder(Path.GetFullPath(parse.GetValue(candidates)!));
            var options = new RunLoopOptions(parse.Directory(directory), source)
            {
                MaxExperiments = parse.GetValue(maxExperiments),
                MaxMinutes = parse.GetValue(maxMinutes),
                TargetSpeedup = parse.GetValue(targetSpeedup),
                AllowDirty = parse.GetValue(allowDirty),
                WithoutGuard = parse.GetValue(noGuard),
                SkipRotated = parse.GetValue(skipRotated),
                ExecutorKind = parse.GetValue(executor),
                Jobs = parse.GetValue(jobs),
                SelfCommand = SelfCommand(),
            };
            var summary = await RunLoop.RunAsync(Cli.Services(), options, cancellationToken);
            Console.WriteLine($"done: {summary.Kept} kept of {summary.Experiments} experiments; results in {summary.ResultsPath}");
            return 0;
        }, cancellationToken));
        return command;
    }

    /// <summary>How this process was started: the dotnet tool's own program, or the dotnet host and Perfloop.Cli.dll.</summary>
    static string[]? SelfCommand()
    {
        var program = Environment.ProcessPath;
        var entry = System.Reflection.Assembly.GetEntryAssembly()?.Location;
        if (program is null)
        {
            return null;
        }

        return Path.GetFileNameWithoutExtension(program) == "dotnet" && !string.IsNullOrEmpty(entry) ? [program, entry] : [program];
    }
}
