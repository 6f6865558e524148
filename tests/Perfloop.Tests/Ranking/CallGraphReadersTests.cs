using Perfloop.Ranking;

namespace Perfloop.Tests.Ranking;

/// <summary>callgrind and pstats: exact self costs, measured inclusive costs, inlined code given back to its function.</summary>
public sealed class CallGraphReadersTests : IDisposable
{
    readonly string repo = Directory.CreateTempSubdirectory("perfloop-cg-").FullName;

    public void Dispose() => Directory.Delete(repo, recursive: true);

    string Source(string relative, string text)
    {
        var path = Path.Combine(repo, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Lines 1-8 hold hot(), 10-… main(): what -O2 makes of it is all one function, main.</summary>
    const string ScanC = """
        static long hot(long n)
        {
            long s = 0;
            for (long i = 0; i < n; i++)
                s += (i * 31) % 7;
            return s;
        }

        int main(void)
        {
            long r = hot(1000);
            printf("%ld\n", r);
            return 0;
        }
        """;

    string Callgrind(string source) => $"""
        # callgrind format
        version: 1
        creator: callgrind-3.19.0
        pid: 42
        cmd:  ./scan
        part: 1

        positions: line
        events: Ir
        summary: 820

        ob=(1) {repo}/scan
        fl=(1) {source}
        fn=(1) main
        10 10
        +1 5
        -6 700
        cob=(2) /usr/lib/x86_64-linux-gnu/libc.so.6
        cfi=(2) ???
        cfn=(2) printf
        calls=1 0
        +7 100
        ob=(3) /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
        fl=(2)
        fn=(3) 0x0000000000001100
        0 5
        ob=(2)
        fl=(2)
        fn=(2)
        0 80
        cfn=(4) _IO_file_write
        calls=1 0
        0 20
        fn=(4)
        0 20
        """;

    [Fact]
    public void Callgrind_costs_with_compressed_names_and_positions_and_inlined_code_back_in_its_function()
    {
        var source = Source("src/scan.c", ScanC);
        var profile = CallgrindReader.Read(new StringReader(Callgrind(source)), "callgrind.out.42", repo);

        Assert.Equal(820, profile.TotalWeight, 6);
        var ranking = BottleneckRanker.Rank(new RankingInput(profile, "callgrind.out.42", DateTimeOffset.UnixEpoch, repo));
        var hot = ranking.Function("hot");
        Assert.Equal(1, hot.Rank);
        Assert.Equal("src/scan.c", hot.File);
        Assert.Equal(100.0 * 700 / 820, hot.SelfPercent, 6);
        Assert.Equal(100.0 * 700 / 820, hot.TotalPercent, 6);
        var main = ranking.Function("main");
        Assert.Equal(100.0 * 15 / 820, main.SelfPercent, 6);
        Assert.Equal(100.0 * 815 / 820, main.TotalPercent, 6);
        Assert.Equal(100.0 * 115 / 820, main.OwnPercent, 6); // its own 15 and the 100 of printf it calls
        Assert.False(ranking.Function("printf").Optimizable);
        Assert.Equal(100.0 * 100 / 820, ranking.Function("printf").TotalPercent, 6);
        Assert.False(ranking.Function("0x0000000000001100").Optimizable);
    }

    [Fact]
    public void Without_the_source_callgrind_attribution_stays_with_the_physical_function()
    {
        var profile = CallgrindReader.Read(new StringReader(Callgrind(Path.Combine(repo, "gone.c"))), "callgrind.out.42", repo);
        var ranking = BottleneckRanker.Rank(new RankingInput(profile, "x", DateTimeOffset.UnixEpoch, repo));
        Assert.Equal("main", ranking.Functions[0].Function);
        Assert.DoesNotContain(ranking.Functions, f => f.Function == "hot");
    }

    [Fact]
    public void A_relative_source_file_in_a_system_library_is_not_the_repositorys_code()
    {
        var profile = new Profile(ProfileFormat.Callgrind, [new ProfileFrame("do_lookup_x", "./elf/dl-lookup.c", "ld-linux-x86-64.so.2", "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2")], [new ProfileSample([0], 1)], "instructions");
        Assert.False(BottleneckRanker.Rank(new RankingInput(profile, "x", DateTimeOffset.UnixEpoch, repo)).Functions[0].Optimizable);
    }

    [Fact]
    public void Valgrinds_start_up_frame_in_the_programs_own_binary_is_not_a_target()
    {
        var frame = new ProfileFrame("(below main)", null, "scan", Path.Combine(repo, "scan"));
        Assert.NotNull(CodeOwnership.WhyNotOptimizable(frame, repo));
        Assert.Null(CodeOwnership.WhyNotOptimizable(frame with { Name = "main" }, repo));
    }

    [Fact]
    public void A_pstats_call_graph_through_exec_keeps_every_cost_and_names_methods_by_their_class()
    {
        var script = Source("scan.py", "import sys\n\n\nclass Scanner:\n    def hot(self, n):\n        return sum(range(n))\n");
        // What 'python -m cProfile -m scan' records: exec runs <string>, which reaches exec again through runpy.
        var json = $$"""
            {"functions": [
              {"file": "~", "line": 0, "name": "<built-in method builtins.exec>", "calls": 2, "self": 0.001, "total": 1.0, "callers": [[2, 0.95]]},
              {"file": "<string>", "line": 1, "name": "<module>", "calls": 1, "self": 0.0, "total": 1.0, "callers": [[0, 1.0]]},
              {"file": "/usr/lib/python3.11/runpy.py", "line": 86, "name": "_run_code", "calls": 1, "self": 0.0, "total": 0.95, "callers": [[1, 0.95]]},
              {"file": "scan.py", "line": 5, "name": "hot", "calls": 1, "self": 0.8, "total": 0.8, "callers": [[4, 0.8]]},
              {"file": "scan.py", "line": 1, "name": "<module>", "calls": 1, "self": 0.1, "total": 0.9, "callers": [[0, 0.9]]},
              {"file": "~", "line": 0, "name": "<method 'disable' of '_lsprof.Profiler' objects>", "calls": 1, "self": 0.000001, "total": 0.000001, "callers": []}
            ]}
            """;

        var profile = PstatsReader.FromJson(json, "scan.pstats", repo);

        Assert.Equal(0.901001e6, profile.TotalWeight, 3);
        var ranking = BottleneckRanker.Rank(new RankingInput(profile, "scan.pstats", DateTimeOffset.UnixEpoch, repo));
        var hot = ranking.Functions[0];
        Assert.Equal("Scanner.hot", hot.Function);
        Assert.Equal(script, Path.Combine(repo, hot.File!));
        Assert.Equal(100 * 0.8 / 0.901001, hot.SelfPercent, 3);
        Assert.Equal(100 * 0.8 / 0.901001, hot.TotalPercent, 3);
        Assert.Equal(100.0, ranking.Functions.Single(f => f.Function == "<module>" && f.File == "scan.py").TotalPercent, 0);
        var exec = ranking.Function("{built-in method builtins.exec}");
        Assert.False(exec.Optimizable);
    }
}
