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
        if (language == "java" && !JavaRuntime.ListsCalledMethods)
        {
            // JDK 22+ lists no called methods and JFR only samples: no proof, so the change is measured, not discarded.
            Assert.StartsWith("warn: Main.unused (src/Main.java) not seen in ", coldFidelity, StringComparison.Ordinal);
            Assert.Equal(JsonValueKind.Null, cold.GetProperty("problem").ValueKind);
            Step(repo, "experiment", "abandon");
            return;
        }

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

    /// <summary>
    /// The shape of js-levenshtein (npm): a small helper the JIT inlines, then the anonymous function that does the work,
    /// which git's hunk headers name after the helper above it. Node's coverage count, not the sampled names, decides:
    /// both changes ran; a change in a branch the bench never takes did not.
    /// </summary>
    [Fact]
    public void Node_changes_in_an_inlined_helper_and_an_anonymous_function_pass_and_a_branch_never_taken_fails()
    {
        var project = new LanguageProject(
            "node",
            new Dictionary<string, string>
            {
                ["lev.js"] = """
                    'use strict';
                    const distance = (function () {
                      function _min(a, b, c) {
                        return a < b ? (a < c ? a : c) : (b < c ? b : c);
                      }

                      return function (s, t) {
                        if (s.length === 0) {
                          return -1;
                        }
                        let prev = [];
                        for (let j = 0; j <= t.length; j++) prev.push(j);
                        for (let i = 1; i <= s.length; i++) {
                          const cur = [i];
                          for (let j = 1; j <= t.length; j++) {
                            cur.push(_min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (s[i - 1] === t[j - 1] ? 0 : 1)));
                          }
                          prev = cur;
                        }
                        return prev[t.length];
                      };
                    })();
                    let total = 0;
                    for (let k = 0; k < 300; k++) total += distance('kitten'.repeat(8) + k, 'sitting'.repeat(8));
                    console.log('result ' + total);
                    """,
            },
            "node --check lev.js",
            "node lev.js",
            "_min",
            "distance",
            "(branch)")
        {
            HotEdit = ("lev.js", "return a < b ? (a < c ? a : c) : (b < c ? b : c);", "return Math.min(a, b, c);"),
            UnusedEdit = ("lev.js", "return -1;", "return -2;"),
        };
        using var repo = project.Create();
        var profile = PerfloopProcess.Run(repo.Root, ["profile", "--", "node", "lev.js"]);
        Assert.True(profile.ExitCode == 0, profile.Stderr);

        string Check((string File, string From, string To) edit)
        {
            Step(repo, "experiment", "start", "--target", "distance", "--no-guard");
            Edit(repo, edit);
            var fidelity = Step(repo, "experiment", "check", "--summary", "an edit").GetProperty("fidelity").GetString()!;
            Step(repo, "experiment", "abandon");
            return fidelity;
        }

        Assert.StartsWith("pass: the benchmark runs _min (lev.js)", Check(project.HotEdit), StringComparison.Ordinal);
        Assert.StartsWith("pass: the benchmark runs the change at lev.js:14", Check(("lev.js", "const cur = [i];", "const cur = [0 + i];")), StringComparison.Ordinal);
        var branch = Check(project.UnusedEdit);
        Assert.StartsWith("fail: not exercised by the benchmark: the change at lev.js:9 never ran in it", branch, StringComparison.Ordinal);
        Assert.Equal("", repo.Git("status", "--porcelain"));
    }

    /// <summary>
    /// JFR only samples: cold() runs a few microseconds and may leave no sample. The JVM's list of called methods, kept
    /// beside the recording, says it ran (and that unused() did not), so a change to it is measured, never thrown away
    /// as "not exercised"; the list stays out of the program's output.
    /// </summary>
    [Fact]
    public void Java_a_method_too_short_to_sample_still_counts_as_run_by_the_jvms_list_of_called_methods()
    {
        var project = LanguageProject.Java;
        using var repo = project.Create();
        var profile = PerfloopProcess.Run(repo.Root, ["profile", "--", .. project.Bench.Split(' ')]);
        Assert.True(profile.ExitCode == 0, profile.Stderr);
        Assert.DoesNotContain("touched", profile.Stdout + profile.Stderr, StringComparison.Ordinal);
        Assert.Contains("result ", profile.Stderr, StringComparison.Ordinal);

        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(repo.Root, ".perfloop", "bottlenecks.json"))))
        {
            if (!JavaRuntime.ListsCalledMethods)
            {
                // JDK 22+: the flag is gone, the bench still runs, and no list is claimed.
                Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("calledMethods").ValueKind);
                return;
            }

            var called = json.RootElement.GetProperty("calledMethods").EnumerateArray().Select(m => m.GetString()!).ToList();
            Assert.Contains("Main.cold", called);
            Assert.Contains("Main.main", called);
            Assert.DoesNotContain("Main.unused", called);
            Assert.DoesNotContain(called, m => m.StartsWith("java.", StringComparison.Ordinal) || m.StartsWith("jdk.", StringComparison.Ordinal));
        }

        Step(repo, "experiment", "start", "--target", project.Cold, "--no-guard");
        Edit(repo, ("src/Main.java", "s += Long.toString(i ^ 5).length() % 3;", "s += Long.toString(5 ^ i).length() % 3;"));
        var fidelity = Step(repo, "experiment", "check", "--summary", "reorder the xor").GetProperty("fidelity").GetString()!;
        Step(repo, "experiment", "abandon");
        Assert.StartsWith("pass: the benchmark runs Main.cold (", fidelity, StringComparison.Ordinal);
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
