using System.Text.Json;
using Perfloop.Configuration;
using Perfloop.IntegrationTests.Fixtures;
using Perfloop.Journal;

namespace Perfloop.IntegrationTests.Fidelity;

/// <summary>
/// Fidelity from a real profile of each language, through the step verbs an agent uses: one 'perfloop profile' of the
/// bench, then a change inside the hot function passes, and a change to the function the bench never calls is
/// discarded at the check step — before any benchmark. (.NET: the demo test covers both on its nettrace.)
/// </summary>
public sealed class LanguageFidelityTests
{
    public static TheoryData<string> Languages => ["c", "python", "node", "java"];

    [Theory]
    [MemberData(nameof(Languages))]
    public void A_change_in_the_hot_function_passes_and_one_in_unused_code_is_discarded_before_benchmarking(string language)
    {
        var project = language switch
        {
            "c" => LanguageProject.C,
            "python" => LanguageProject.Python,
            "node" => LanguageProject.Node,
            _ => LanguageProject.Java,
        };
        using var repo = project.Create();
        var profile = PerfloopProcess.Run(repo.Root, ["profile", "--", .. project.Bench.Split(' ')]);
        Assert.True(profile.ExitCode == 0, profile.Stderr);

        Step(repo, "experiment", "start", "--target", project.Hot, "--no-guard");
        Edit(repo, project.HotEdit);
        var hot = Step(repo, "experiment", "check", "--summary", "reorder the hot multiplication");
        var hotFidelity = hot.GetProperty("fidelity").GetString()!;
        Assert.StartsWith("pass: the benchmark runs ", hotFidelity, StringComparison.Ordinal);
        Assert.Contains(project.Hot.Split('.')[^1], hotFidelity, StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, hot.GetProperty("problem").ValueKind);
        Step(repo, "experiment", "abandon");

        Step(repo, "experiment", "start", "--target", project.Unused, "--no-guard");
        Edit(repo, project.UnusedEdit);
        var cold = Step(repo, "experiment", "check", "--summary", "reorder the unused multiplication");
        var coldFidelity = cold.GetProperty("fidelity").GetString()!;
        Assert.StartsWith("fail: not exercised by the benchmark: ", coldFidelity, StringComparison.Ordinal);
        Assert.Contains(project.Unused.Split('.')[^1], coldFidelity, StringComparison.Ordinal);
        Assert.StartsWith("fidelity: ", cold.GetProperty("problem").GetString(), StringComparison.Ordinal);
        var decided = Step(repo, "experiment", "decide");
        Assert.Equal(JsonValueKind.Null, decided.GetProperty("measurement").ValueKind);

        var rows = ResultsTable.Read(PerfloopPaths.Results(repo.Root));
        var row = rows[^1];
        Assert.Equal(ExperimentStatus.Discard, row.Status);
        Assert.StartsWith("fidelity: not exercised by the benchmark", row.Reason, StringComparison.Ordinal);
        Assert.Null(row.DeltaPct);
        Assert.False(File.Exists(Path.Combine(PerfloopPaths.Experiment(repo.Root, row.Experiment), "samples.tsv")), "nothing was benchmarked");
        Assert.Equal("", repo.Git("status", "--porcelain"));
    }

    [Fact]
    public void Without_a_profile_the_fidelity_line_names_the_profile_command_that_works_for_the_bench()
    {
        using var repo = LanguageProject.Python.Create();
        Step(repo, "experiment", "start", "--target", "Scanner.hot", "--no-guard");
        Edit(repo, LanguageProject.Python.HotEdit);

        var check = Step(repo, "experiment", "check", "--summary", "reorder");

        var fidelity = check.GetProperty("fidelity").GetString()!;
        Assert.StartsWith("unchecked: no profile of the benchmark", fidelity, StringComparison.Ordinal);
        Assert.Contains("'perfloop profile -- python3 scan.py' (cProfile", fidelity, StringComparison.Ordinal);
    }

    static void Edit(TempGitRepository repo, (string File, string From, string To) edit)
    {
        var text = repo.Read(edit.File);
        Assert.Contains(edit.From, text, StringComparison.Ordinal);
        repo.Write(edit.File, text.Replace(edit.From, edit.To, StringComparison.Ordinal));
    }

    static JsonElement Step(TempGitRepository repo, params string[] arguments)
    {
        var result = PerfloopProcess.Run(repo.Root, [.. arguments, "--json"]);
        Assert.True(result.ExitCode == 0, $"perfloop {string.Join(' ', arguments)} exited {result.ExitCode}: {result.Stderr}");
        return JsonDocument.Parse(result.Stdout).RootElement.Clone();
    }
}
