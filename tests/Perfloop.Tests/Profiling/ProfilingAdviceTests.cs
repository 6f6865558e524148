using Perfloop.Profiling;

namespace Perfloop.Tests.Profiling;

public class ProfilingAdviceTests
{
    [Fact]
    public void A_profilable_bench_is_told_the_profile_command_with_its_tool()
    {
        var advice = Perfloop.Errors.Mention.ForCommandLine(ProfilingAdvice.For("python3 scan.py", new RuntimeDetection(BenchRuntime.Python, true, ["python3", "scan.py"], "Python"), null));
        Assert.Equal("record one with 'perfloop profile -- python3 scan.py' (cProfile, for Python code)", advice);
    }

    [Fact]
    public void A_shell_line_is_quoted_as_one_argument()
    {
        var advice = Perfloop.Errors.Mention.ForCommandLine(ProfilingAdvice.For("cd build && ./hot > /dev/null", new RuntimeDetection(BenchRuntime.Native, false, [], "native"), null));
        Assert.Contains("'perfloop profile -- 'cd build && ./hot > /dev/null''", advice, StringComparison.Ordinal);
        Assert.Equal("'it'\\''s'", ProfilingAdvice.Quoted("it's"));
    }

    [Fact]
    public void A_bench_nothing_can_profile_is_never_told_to_run_perfloop_profile()
    {
        var advice = Perfloop.Errors.Mention.ForCommandLine(ProfilingAdvice.For("ruby bench.rb", RuntimeDetection.Unknown("'ruby' is not found on PATH"), null));
        Assert.DoesNotContain("perfloop profile", advice, StringComparison.Ordinal);
        Assert.Contains("perfloop rank --profile FILE", advice, StringComparison.Ordinal);
        Assert.Contains("'ruby' is not found on PATH", advice, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_tool_is_named_instead_of_a_command_that_would_fail()
    {
        var advice = Perfloop.Errors.Mention.ForCommandLine(ProfilingAdvice.For("./hot", new RuntimeDetection(BenchRuntime.Native, true, ["./hot"], "native"), "profiling native code needs valgrind, which is not on PATH"));
        Assert.DoesNotContain("perfloop profile", advice, StringComparison.Ordinal);
        Assert.StartsWith("profiling native code needs valgrind", advice, StringComparison.Ordinal);
    }

    [Fact]
    public void The_handoff_step_reads_the_repository_to_name_what_works()
    {
        var root = Directory.CreateTempSubdirectory("perfloop-advice-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(root, "scan.py"), "print(1)\n");
            Assert.Equal("re-profile and rank again: 'perfloop profile -- python3 scan.py' (cProfile, for Python code)", Perfloop.Errors.Mention.ForCommandLine(ProfilingAdvice.Reprofile("python3 scan.py", root)));
            Assert.StartsWith("re-profile and rank again: perfloop cannot profile this benchmark itself ('no-such-tool-x' is not found on PATH)", Perfloop.Errors.Mention.ForCommandLine(ProfilingAdvice.Reprofile("no-such-tool-x run", root)), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
