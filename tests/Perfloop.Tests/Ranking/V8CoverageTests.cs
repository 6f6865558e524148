using Perfloop.Fidelity;
using Perfloop.Ranking;

namespace Perfloop.Tests.Ranking;

/// <summary>
/// V8's precise coverage (what NODE_V8_COVERAGE writes) turned into lines that ran, and the fidelity check on it: a
/// change is judged by whether its lines ran, not by whether a sampled profile happened to name its function.
/// </summary>
public sealed class V8CoverageTests : IDisposable
{
    const string Source = """
        function hot(n) {
          let s = 0;
          for (let i = 0; i < n; i++) s += i;
          if (n < 0) {
            s = -1;
          }
          return s;
        }
        function cold() {
          return 42;
        }
        hot(10);
        """;

    readonly string directory = Directory.CreateTempSubdirectory("perfloop-v8cov-").FullName;

    string Script => Path.Combine(directory, "app.js");

    public void Dispose() => Directory.Delete(directory, recursive: true);

    /// <summary>One process's coverage file: the script, hot (ran, its negative branch not), cold (ran or not).</summary>
    string CoverageFile(string name, bool coldRan)
    {
        int At(string text) => Source.IndexOf(text, StringComparison.Ordinal);
        var hotEnd = At("function cold") - 1;
        var branchStart = At("{\n    s = -1;");
        var branchEnd = At("  return s;") - 1;
        var coldEnd = At("hot(10);") - 1;
        var json = $$"""
            { "result": [
              { "scriptId": "1", "url": "node:internal/main", "functions": [] },
              { "scriptId": "2", "url": "{{new Uri(Script).AbsoluteUri}}", "functions": [
                { "functionName": "", "isBlockCoverage": true, "ranges": [ { "startOffset": 0, "endOffset": {{Source.Length}}, "count": 1 } ] },
                { "functionName": "hot", "isBlockCoverage": true, "ranges": [
                  { "startOffset": 0, "endOffset": {{hotEnd}}, "count": 1 },
                  { "startOffset": {{branchStart}}, "endOffset": {{branchEnd}}, "count": 0 } ] },
                { "functionName": "cold", "isBlockCoverage": true, "ranges": [ { "startOffset": {{At("function cold")}}, "endOffset": {{coldEnd}}, "count": {{(coldRan ? 1 : 0)}} } ] }
              ] } ] }
            """;
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, json);
        return path;
    }

    IReadOnlyList<FileCoverage> Read(params string[] files) =>
        V8CoverageReader.Read(files, path => path == Script ? Source : null, path => path.StartsWith(directory, StringComparison.Ordinal));

    [Fact]
    public void The_lines_of_a_branch_and_a_function_that_never_ran_are_named_and_the_rest_ran()
    {
        var file = Assert.Single(Read(CoverageFile("coverage-1.json", coldRan: false)));
        Assert.Equal(Script, file.File);
        Assert.Equal(12, file.Lines);
        // Line 4 ('if (n < 0) {') ran though its brace opens the branch that did not: a line runs when any of its code does.
        Assert.Equal([new LineSpan(5, 6), new LineSpan(9, 11)], file.NeverRan);
        Assert.True(file.AnyRan(4, 4));
        Assert.False(file.AnyRan(9, 10));
        Assert.False(file.AnyRan(13, 20));
    }

    [Fact]
    public void A_coverage_file_cut_short_is_left_out_and_the_others_count()
    {
        var cut = Path.Combine(directory, "coverage-3.json");
        File.WriteAllText(cut, "{ \"result\": [ { \"url\": ");
        var file = Assert.Single(Read(cut, CoverageFile("coverage-1.json", coldRan: true)));
        Assert.Equal([new LineSpan(5, 6)], file.NeverRan);
    }

    [Fact]
    public void A_line_that_ran_in_any_process_ran()
    {
        var file = Assert.Single(Read(CoverageFile("coverage-1.json", coldRan: false), CoverageFile("coverage-2.json", coldRan: true)));
        Assert.Equal([new LineSpan(5, 6)], file.NeverRan);
    }

    [Fact]
    public void Fidelity_on_coverage_passes_a_change_whose_lines_ran_and_fails_one_whose_lines_never_did()
    {
        var coverage = Read(CoverageFile("coverage-1.json", coldRan: false))[0] with { File = "app.js" };
        // The sampled profile names neither function (hot was inlined, say): the count decides, not the samples.
        var profile = new BenchmarkProfile(".perfloop/bottlenecks.json (cpuProfile, 826 ms)", [], []) { Format = "cpuProfile", Coverage = [coverage] };
        ChangedFunction Function(string name, int first, int last) => new("app.js", "javascript", name, null, first) { BaselineLines = new LineSpan(first, last) };

        var hot = FidelityCheck.Evaluate(new CodeChanges([Function("hot", 3, 3)], [], []), [], profile, null, "discard");
        Assert.Equal(FidelityVerdict.Passed, hot.Verdict);
        Assert.Contains("hot (app.js)", hot.Summary, StringComparison.Ordinal);

        var branch = FidelityCheck.Evaluate(new CodeChanges([Function("hot", 5, 5)], [], []), [], profile, null, "discard");
        Assert.Equal(FidelityVerdict.Failed, branch.Verdict);
        Assert.StartsWith("not exercised by the benchmark: hot (app.js) never ran in it (no line of it ran", branch.Summary, StringComparison.Ordinal);

        // A change no function can be named for (here: top-level code) is judged by its lines too.
        var topLevel = FidelityCheck.Evaluate(new CodeChanges([], [new UnattributedChange("app.js", 12, "hot(11);") { BaselineLines = new LineSpan(12, 12) }], []), [], profile, null, "discard");
        Assert.Equal(FidelityVerdict.Passed, topLevel.Verdict);

        // A file the coverage does not cover leaves the decision to the sampled profile (here: not named, so unchecked or failed as before).
        var other = FidelityCheck.Evaluate(new CodeChanges([], [new UnattributedChange("lib.js", 3, "x();") { BaselineLines = new LineSpan(3, 3) }], []), [], profile, null, "discard");
        Assert.Equal(FidelityVerdict.Unchecked, other.Verdict);
    }
}
