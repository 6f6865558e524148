using Perfloop.Profiling;

namespace Perfloop.Tests.Profiling;

public class ShellWordsTests
{
    [Fact]
    public void Quotes_escapes_operators_and_comments_split_as_the_shell_would()
    {
        var commands = ShellWords.Split("cd 'my dir' && FOO=\"a b\" python3 -c 'print(1)' # run\nnode x.js|grep \\; 2>&1 >out.txt");

        Assert.Equal(4, commands.Count);
        Assert.Equal(["cd", "my dir"], commands[0].Words);
        Assert.Equal(["FOO=a b", "python3", "-c", "print(1)"], commands[1].Words);
        Assert.True(commands[1].Plain);
        Assert.Equal(["node", "x.js"], commands[2].Words);
        Assert.Equal(["grep", ";"], commands[3].Words);
        Assert.False(commands[3].Plain);
    }

    [Fact]
    public void Redirections_and_expansions_make_a_command_need_the_shell()
    {
        var commands = ShellWords.Split("./hot 2>/dev/null\n./hot $N\n./hot *.txt\n./hot 100");

        Assert.Equal(["./hot"], commands[0].Words);
        Assert.False(commands[0].Plain);
        Assert.False(commands[1].Plain);
        Assert.False(commands[2].Plain);
        Assert.True(commands[3].Plain);
    }

    [Fact]
    public void A_pipeline_is_one_command_per_program()
    {
        var commands = ShellWords.Split("grep x a | sort | python3 s.py");
        Assert.Equal(["grep", "sort", "python3"], commands.Select(c => c.Words[0]));
    }
}
