using Perfloop.Errors;
using Perfloop.Ranking;

namespace Perfloop.Tests.Ranking;

public class ProfileReaderTests
{
    [Fact]
    public void Reads_a_real_perf_folded_profile_and_ranks_the_hot_c_function_first()
    {
        var path = TestProfiles.Path("hot.perf.folded");
        Assert.Equal(ProfileFormat.Folded, ProfileReader.Detect(path));
        var profile = ProfileReader.Read(path);

        Assert.Equal(914, profile.TotalWeight);
        var ranking = TestProfiles.Rank(profile);
        var targets = ranking.Targets.Select(t => t.Function).ToList();
        // 537 + 71 + 10 of 914 samples are count_word with the strcmp it calls through find_word; is_prime has 286.
        Assert.Equal("count_word", targets[0]);
        Assert.Equal("is_prime", targets[1]);
        Assert.Equal(100.0 * 286 / 914, ranking.Function("is_prime").SelfPercent, 9);
        Assert.False(ranking.Function("__strcmp_evex").Optimizable);
        Assert.False(ranking.Function("[unknown]").Optimizable);
    }

    [Fact]
    public void Reads_a_sampled_speedscope_profile_with_files()
    {
        var profile = ProfileReader.Read(TestProfiles.Path("hot.sampled.speedscope.json"));

        Assert.Equal(ProfileFormat.Speedscope, profile.Format);
        Assert.Equal(914, profile.TotalWeight);
        var ranking = TestProfiles.Rank(profile);
        var top = ranking.Targets.First();
        Assert.Equal("count_word", top.Function);
        Assert.Equal("hot.c", top.File);
        var folded = TestProfiles.Rank(ProfileReader.Read(TestProfiles.Path("hot.perf.folded")));
        Assert.Equal(folded.Function("is_prime").TotalPercent, ranking.Function("is_prime").TotalPercent, 9);
    }

    [Fact]
    public void Reads_an_evented_speedscope_profile_written_by_traceevent()
    {
        var profile = ProfileReader.Read(TestProfiles.Path("tiny.traceevent.speedscope.json"));

        Assert.Equal("milliseconds", profile.Unit);
        Assert.DoesNotContain(profile.Frames, f => f.Name == "CPU_TIME" && profile.Samples.Any(s => s.Frames.Contains(profile.Frames.ToList().IndexOf(f))));
        var ranking = TestProfiles.Rank(profile);
        var targets = ranking.Targets.Select(t => t.Function).ToList();
        Assert.Equal(["Hot.SumOfDivisors", "Hot.CountDistinctSlowly"], targets.Take(2));
        Assert.Equal("tiny", ranking.Function("Hot.SumOfDivisors").Module);
        Assert.False(ranking.Function("Thread (15760)").Optimizable);
        Assert.All(ranking.Functions.Where(f => f.Module == "System.Private.CoreLib"), f => Assert.False(f.Optimizable));
    }

    [Fact]
    public void Evented_time_between_events_goes_to_the_open_stack()
    {
        const string json = """
            {"$schema":"https://www.speedscope.app/file-format-schema.json","shared":{"frames":[{"name":"main"},{"name":"a"},{"name":"b"}]},
             "profiles":[{"type":"evented","name":"t","unit":"milliseconds","startValue":0,"endValue":10,"events":[
               {"type":"O","frame":0,"at":0},{"type":"O","frame":1,"at":1},{"type":"O","frame":1,"at":2},{"type":"C","frame":1,"at":4},
               {"type":"C","frame":1,"at":5},{"type":"O","frame":2,"at":5},{"type":"C","frame":2,"at":9},{"type":"C","frame":0,"at":10}]}]}
            """;
        var ranking = TestProfiles.Rank(SpeedscopeReader.Read(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json)), "t.json"));

        Assert.Equal(20, ranking.Function("main").SelfPercent, 9);
        Assert.Equal(40, ranking.Function("a").TotalPercent, 9); // recursive a→a counted once
        Assert.Equal(40, ranking.Function("b").SelfPercent, 9);
    }

    [Fact]
    public void Reads_a_real_nettrace_with_runtime_signals()
    {
        var path = TestProfiles.DecompressedNettrace();
        try
        {
            var profile = ProfileReader.Read(path);

            Assert.Equal(ProfileFormat.Nettrace, profile.Format);
            var ranking = TestProfiles.Rank(profile);
            Assert.Equal("Hot.SumOfDivisors", ranking.Targets.First().Function);
            Assert.Contains(ranking.Targets.Take(3), t => t.Function == "Hot.CountDistinctSlowly");
            Assert.All(ranking.Functions.Where(f => f.Module == "System.Private.CoreLib"), f => Assert.False(f.Optimizable));
            Assert.DoesNotContain(ranking.Functions, f => f.Function.Contains("PollGC", StringComparison.Ordinal));

            var runtime = profile.Runtime!;
            Assert.Equal(1, runtime.GcCount);
            Assert.InRange(runtime.GcPauseMs, 0.001, 50);
            Assert.Equal(runtime.GcPauseMs / runtime.DurationMs, runtime.GcPauseShare, 12);
            Assert.True(runtime.AllocationTickBytes > 10_000_000, $"{runtime.AllocationTickBytes} sampled bytes");
            Assert.Equal("System.String", runtime.TopAllocatingTypes[0].Name);
            Assert.Equal("Hot.TotalDigits", runtime.TopAllocatingMethods[0].Name);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Gc_pause_counts_only_suspensions_for_a_gc()
    {
        var clock = new NettraceReader.GcPauseClock();
        clock.Suspended(forGc: false, 10); // tiered compilation, say
        clock.Restarted(15);
        clock.Suspended(forGc: true, 20);
        clock.Restarted(22.5);
        clock.Restarted(30); // a restart with no suspension open adds nothing
        clock.Suspended(forGc: true, 40);
        clock.Restarted(41);

        Assert.Equal(3.5, clock.PauseMs, 9);
    }

    [Theory]
    [InlineData("main;work\n", "test.folded:1")]
    [InlineData("main;work 3\nmain;work three\n", "test.folded:2")]
    [InlineData("\n# only a comment\n", "no stacks")]
    public void Malformed_folded_input_names_the_line(string text, string expected)
    {
        var error = Assert.Throws<PerfloopException>(() => FoldedStackReader.Read(new StringReader(text), "test.folded"));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, error.ExitCode);
    }

    [Fact]
    public void Malformed_speedscope_input_is_a_usage_error()
    {
        var bad = new MemoryStream("""{"shared":{"frames":[{"name":"a"}]},"profiles":[{"type":"sampled","unit":"none","samples":[[3]],"weights":[1]}]}"""u8.ToArray());

        var error = Assert.Throws<PerfloopException>(() => SpeedscopeReader.Read(bad, "p.json"));
        Assert.Contains("frame index 3", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("count_word (hot.c:12)", "count_word", "hot.c", null)]
    [InlineData("<module> (/src/app.py)", "<module>", "/src/app.py", null)]
    [InlineData("do_syscall_64_[k]", "do_syscall_64", null, "[kernel]")]
    [InlineData("java/lang/String.equals_[j]", "java/lang/String.equals", null, null)]
    public void Folded_frames_keep_name_file_and_kernel_marks(string raw, string name, string? file, string? module)
    {
        Assert.Equal(new ProfileFrame(name, file, module), FoldedStackReader.ParseFrame(raw));
    }

    [Theory]
    [InlineData("Demo.WordCounter+<>c__DisplayClass0_0.<Count>b__0(value class Demo.WordCount)", "Demo.WordCounter.Count")]
    [InlineData("Demo.WordCounter.Count(class System.Collections.Generic.IReadOnlyList`1<class System.String>)", "Demo.WordCounter.Count")]
    [InlineData("App.Service+<LoadAsync>d__4.MoveNext()", "App.Service.LoadAsync")]
    [InlineData("Program.<<Main>$>g__Bench|0_0()", "Program.Main.Bench")]
    public void Dotnet_method_names_fold_compiler_generated_code_into_its_method(string raw, string expected)
    {
        Assert.Equal(expected, NettraceReader.MethodDisplayName(raw));
    }
}
