using Perfloop.Processes;

namespace Perfloop.Tests.Processes;

public sealed class TimedCommandTests : IDisposable
{
    readonly string directory = Directory.CreateTempSubdirectory("perfloop-timed-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Theory]
    [InlineData("./bench --size=10 -n 5", new[] { "./bench", "--size=10", "-n", "5" })]
    [InlineData("  dotnet\trun -c Release --project bench/App.csproj  ", new[] { "dotnet", "run", "-c", "Release", "--project", "bench/App.csproj" })]
    [InlineData("node bench.js user@host:8080,9090 50%", new[] { "node", "bench.js", "user@host:8080,9090", "50%" })]
    public void Plain_words_are_split_as_the_shell_would(string line, string[] words) =>
        Assert.Equal(words, TimedCommand.PlainWords(line));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("./bench > out.txt")]
    [InlineData("./bench | tail -1")]
    [InlineData("./bench && ./other")]
    [InlineData("./bench; ./other")]
    [InlineData("./bench &")]
    [InlineData("./bench \"quoted arg\"")]
    [InlineData("./bench 'quoted'")]
    [InlineData("./bench a\\ b")]
    [InlineData("./bench $HOME")]
    [InlineData("./bench `date`")]
    [InlineData("./bench *.txt")]
    [InlineData("./bench file?")]
    [InlineData("./bench [ab]")]
    [InlineData("./bench ~/data")]
    [InlineData("./bench # comment")]
    [InlineData("./bench {a,b}")]
    [InlineData("(./bench)")]
    [InlineData("./bench\n./other")]
    [InlineData("FOO=1 ./bench")]
    [InlineData("cd sub")]
    [InlineData("echo 1")]
    [InlineData("test -f x")]
    [InlineData("exec ./bench")]
    [InlineData(". ./env.sh")]
    [InlineData("if")]
    [InlineData("!")]
    public void Anything_the_shell_interprets_keeps_the_shell(string line) =>
        Assert.Null(TimedCommand.PlainWords(line));

    [Fact]
    public void An_executable_program_is_started_directly_with_PWD_as_the_shell_sets_it()
    {
        var program = Write("bench", "#!/bin/sh\necho hi\n", executable: true);
        var spec = TimedCommand.For("./bench --fast", directory);
        Assert.Equal("./bench", spec.FileName);
        Assert.Equal(["--fast"], spec.Arguments);
        Assert.Equal(Path.GetFullPath(directory), spec.Environment["PWD"]);
        Assert.True(File.Exists(program));

        var onPath = TimedCommand.For("sh -n bench", directory);
        Assert.Equal("sh", onPath.FileName);
        Assert.Equal(["-n", "bench"], onPath.Arguments);
    }

    [Theory]
    [InlineData("script", "echo no shebang\n", true)]
    [InlineData("notexec", "#!/bin/sh\necho hi\n", false)]
    public void A_file_execve_cannot_run_keeps_the_shell(string name, string content, bool executable)
    {
        Write(name, content, executable);
        var spec = TimedCommand.For($"./{name}", directory);
        Assert.Equal("/bin/sh", spec.FileName);
        Assert.Equal(["-c", $"./{name}"], spec.Arguments);
    }

    [Fact]
    public void A_missing_program_keeps_the_shell_so_its_error_is_the_usual_one()
    {
        var spec = TimedCommand.For("no-such-program-perfloop --x", directory);
        Assert.Equal("/bin/sh", spec.FileName);
    }

    string Write(string name, string content, bool executable)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, content);
        if (executable && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }
}
