using System.Text.Json;
using Perfloop.Configuration;
using Perfloop.Experiments;
using Perfloop.Implementers;
using Perfloop.Init;
using Perfloop.IntegrationTests.Fixtures;
using Perfloop.Journal;
using Perfloop.Processes;
using Perfloop.Sessions;

namespace Perfloop.IntegrationTests.Experiments;

/// <summary>
/// An agent driving the loop through the step verbs gets the same rows and commits as 'run' on the same candidates,
/// judged on the program's sleeps (<see cref="SleepProgram"/>) so both sessions see the same exact effects under any load.
/// </summary>
public sealed class StepVerbsTests
{
    static async Task<TempGitRepository> MakeRepositoryAsync()
    {
        var repo = new TempGitRepository();
        repo.Write("app.sh", "#!/bin/sh\n" + SleepProgram.Prelude + ". ./lib/setup.sh\nsleep 0.10\necho \"result 42\"\n" + SleepProgram.Report);
        repo.Write("lib/setup.sh", "sleep 0.20\n");
        repo.Write("check.sh", "#!/bin/sh\ngrep -q 'result 42' app.sh\n");
        repo.CommitAll("program");
        repo.MakeCandidate("0001-faster.patch", "Faster setup", ["Target: setup", "Category: algorithm", "Strategy: algorithm", "Impact: ~65% of runtime"],
            r => r.Write("lib/setup.sh", "sleep 0.02\n"));
        repo.MakeCandidate("0002-wrong.patch", "Faster but wrong", ["Target: app.sh output", "Category: algorithm"],
            r => r.Write("app.sh", r.Read("app.sh").Replace("result 42", "result 41", StringComparison.Ordinal)));
        repo.MakeCandidate("0003-slower.patch", "Slower main", ["Target: app.sh", "Category: loops", "Strategy: loops"],
            r => r.Write("app.sh", r.Read("app.sh").Replace("sleep 0.10", "sleep 0.45", StringComparison.Ordinal)));
        await ProjectInitializer.InitAsync(new ProcessRunner(), new InitOptions(repo.Root, SleepProgram.Bench) { Oracles = ["sh app.sh"], Guard = "sh check.sh" }, CancellationToken.None);
        SleepProgram.JudgeOnSleeps(repo);
        repo.CommitAll("perfloop config");
        return repo;
    }

    [Fact]
    public async Task Step_verbs_produce_the_same_rows_and_commits_as_run()
    {
        using var viaRun = await MakeRepositoryAsync();
        using var viaSteps = await MakeRepositoryAsync();

        await new ExperimentSession(new EngineServices(new ProcessRunner(), new RecordingReporter(), TimeProvider.System))
            .RunAsync(new RunOptions(viaRun.Root, await PatchSeries.LoadAsync(viaRun.Candidates, new ProcessRunner())), CancellationToken.None);

        foreach (var patch in Directory.GetFiles(viaSteps.Candidates).Order(StringComparer.Ordinal))
        {
            var candidate = (await PatchFile.ReadAsync(patch, new ProcessRunner())).ToCandidate();
            var start = Step(viaSteps, "experiment", "start", "--target", candidate.Target, "--category", candidate.Category, "--impact", candidate.EstimatedImpact, "--strategy", candidate.Strategy);
            Assert.Equal("perfloop.step/v1", start.GetProperty("schema").GetString());
            viaSteps.Git("apply", patch);
            var check = Step(viaSteps, "experiment", "check", "--summary", candidate.Summary);
            if (check.GetProperty("problem").ValueKind == JsonValueKind.Null)
            {
                var bench = Step(viaSteps, "experiment", "bench");
                Assert.NotEqual(JsonValueKind.Null, bench.GetProperty("measurement").ValueKind);
                Step(viaSteps, "experiment", "guard");
            }

            var decide = Step(viaSteps, "experiment", "decide");
            Assert.Equal("decided", decide.GetProperty("phase").GetString());
        }

        static object Shape(ResultRow r) => (r.Experiment, r.Target, r.Summary, r.StatusText, r.Reason.Split([':', ' '])[0]);
        var expected = ResultsTable.Read(PerfloopPaths.Results(viaRun.Root)).Select(Shape).ToList();
        var actual = ResultsTable.Read(PerfloopPaths.Results(viaSteps.Root)).Select(Shape).ToList();
        Assert.Equal(expected, actual);
        // Baseline, the async escalation (the shell program sleeps: wall time far above CPU time), three experiments.
        Assert.Equal(5, actual.Count);
        Assert.Equal(viaRun.Git("log", "--format=%s%n%(trailers:key=Perfloop-Experiment)"), viaSteps.Git("log", "--format=%s%n%(trailers:key=Perfloop-Experiment)"));
        Assert.Equal("", viaSteps.Git("status", "--porcelain"));

        var status = Step(viaSteps, "status");
        Assert.Equal(3, status.GetProperty("experiments").GetInt32());
        Assert.Equal(1, status.GetProperty("kept").GetInt32());
        Assert.Equal(2, status.GetProperty("consecutiveDiscards").GetInt32());
    }

    [Fact]
    public async Task Steps_out_of_order_get_one_clear_line()
    {
        using var repo = await MakeRepositoryAsync();
        var result = PerfloopProcess.Run(repo.Root, "experiment", "bench", "--json");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Contains("no experiment is in progress", result.Stderr);
    }

    static JsonElement Step(TempGitRepository repo, params string[] arguments)
    {
        var result = PerfloopProcess.Run(repo.Root, [.. arguments, "--json"]);
        Assert.True(result.ExitCode == 0, $"perfloop {string.Join(' ', arguments)} exited {result.ExitCode}: {result.Stderr}");
        // stdout holds only the JSON document.
        return JsonDocument.Parse(result.Stdout).RootElement;
    }
}
