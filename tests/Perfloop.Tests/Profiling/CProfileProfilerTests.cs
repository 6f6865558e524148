using Perfloop.Profiling;

namespace Perfloop.Tests.Profiling;

public class CProfileProfilerTests
{
    [Theory]
    [InlineData("python3 bench.py", false)]
    [InlineData("python3 -u -O bench.py", false)]
    [InlineData("python3 -I bench.py", true)]
    [InlineData("python3 -uE bench.py", true)]
    [InlineData("python3 -W ignore -S -m bench", true)]
    [InlineData("python3 bench.py -I", false)]
    [InlineData("python3 -c 'import x' -I", false)]
    public void Only_options_before_the_script_can_switch_sitecustomize_off(string command, bool skips) =>
        Assert.Equal(skips, CProfileProfiler.SkipsSiteCustomize(command.Split(' ')));

    [Theory]
    [InlineData("python3 -I bench.py 10", "python3 -I -m cProfile -o OUT bench.py 10")]
    [InlineData("python3 -S -m pkg.bench --n 3", "python3 -S -m cProfile -o OUT -m pkg.bench --n 3")]
    [InlineData("python3 -W error -E run.py", "python3 -W error -E -m cProfile -o OUT run.py")]
    public void A_script_or_module_run_gets_cprofile_before_it(string command, string expected) =>
        Assert.Equal(expected.Split(' '), CProfileProfiler.DirectArguments(command.Split(' '), "OUT"));

    [Theory]
    [InlineData("python3 -I -c pass")]
    [InlineData("python3 -I -")]
    [InlineData("python3 -I")]
    public void A_command_that_is_not_a_script_or_module_run_is_not_rewritten(string command) =>
        Assert.Null(CProfileProfiler.DirectArguments(command.Split(' '), "OUT"));
}
