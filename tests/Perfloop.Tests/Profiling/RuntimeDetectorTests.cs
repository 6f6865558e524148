using Perfloop.Profiling;

namespace Perfloop.Tests.Profiling;

public class RuntimeDetectorTests
{
    const string Repo = "/repo";

    /// <summary>An in-memory file system: executables on PATH (/usr/bin), and the repository's files.</summary>
    sealed class FakeProbe : IProgramProbe
    {
        readonly Dictionary<string, (ProgramFile File, string? Text)> files = new(StringComparer.Ordinal);

        public FakeProbe Elf(string path) => Add(path, new ProgramFile(path, true, null), null);

        public FakeProbe Script(string path, string text)
        {
            var shebang = text.StartsWith("#!", StringComparison.Ordinal) ? text[2..text.IndexOf('\n', StringComparison.Ordinal)].Trim() : null;
            return Add(path, new ProgramFile(path, false, shebang), text);
        }

        public FakeProbe Plain(string path) => Add(path, new ProgramFile(path, false, null), "");

        FakeProbe Add(string path, ProgramFile file, string? text)
        {
            files[path] = (file, text);
            return this;
        }

        public string? Resolve(string program, string directory)
        {
            var path = program.Contains('/', StringComparison.Ordinal) ? Path.GetFullPath(program, directory) : "/usr/bin/" + program;
            return files.ContainsKey(path) ? path : null;
        }

        public ProgramFile? Inspect(string path) => files.TryGetValue(path, out var f) ? f.File : null;

        public bool Exists(string path) => files.ContainsKey(path);

        public string? ReadText(string path) => files.TryGetValue(path, out var f) ? f.Text : null;
    }

    static FakeProbe System() => new FakeProbe().Elf("/usr/bin/python3").Elf("/usr/bin/node").Elf("/usr/bin/java").Elf("/usr/bin/dotnet").Elf("/usr/bin/grep").Elf("/usr/bin/valgrind");

    static RuntimeDetection Detect(FakeProbe probe, params string[] command) => RuntimeDetector.Detect(command, Repo, Repo, probe);

    [Theory]
    [InlineData("python3 bench.py", BenchRuntime.Python, true)]
    [InlineData("python3.11 -m bench --n 10", BenchRuntime.Python, true)]
    [InlineData("PYTHONHASHSEED=0 python3 bench.py", BenchRuntime.Python, false)]
    [InlineData("node --max-old-space-size=4096 bench.js", BenchRuntime.Node, true)]
    [InlineData("java -cp classes Main", BenchRuntime.Jvm, false)]
    [InlineData("java -jar app.jar", BenchRuntime.Jvm, false)]
    [InlineData("dotnet out/App.dll bench", BenchRuntime.DotNet, false)]
    [InlineData("npm run bench", BenchRuntime.Node, false)]
    [InlineData("uv run python bench.py", BenchRuntime.Python, false)]
    [InlineData("timeout 60 nice -n 5 python3 bench.py", BenchRuntime.Python, false)]
    [InlineData("./hot 100", BenchRuntime.Native, true)]
    [InlineData("cd build && ./hot", BenchRuntime.Native, false)]
    [InlineData("./hot | grep result", BenchRuntime.Native, false)]
    public void A_command_line_is_classified_by_the_program_it_runs(string command, BenchRuntime runtime, bool direct)
    {
        var probe = System().Elf("/repo/hot").Elf("/repo/build/hot");

        var detection = Detect(probe, command);

        Assert.Equal(runtime, detection.Runtime);
        Assert.Equal(direct, detection.Direct);
        if (direct)
        {
            Assert.Equal(command.Split(' '), detection.Words);
        }
    }

    [Fact]
    public void A_program_and_its_arguments_are_direct_words()
    {
        var detection = Detect(System(), "python3", "-u", "bench.py", "a b");
        Assert.Equal(BenchRuntime.Python, detection.Runtime);
        Assert.True(detection.Direct);
        Assert.Equal(["python3", "-u", "bench.py", "a b"], detection.Words);
    }

    [Theory]
    [InlineData("#!/usr/bin/env python3\nprint(1)\n", BenchRuntime.Python)]
    [InlineData("#!/usr/bin/env -S python3 -u\nprint(1)\n", BenchRuntime.Python)]
    [InlineData("#!/usr/bin/python3\n", BenchRuntime.Python)]
    [InlineData("#!/usr/bin/env node\nconsole.log(1)\n", BenchRuntime.Node)]
    [InlineData("#!/bin/sh\nset -e\necho start\npython3 scan.py \"$@\"\n", BenchRuntime.Python)]
    [InlineData("#!/bin/bash\ncd \"$(dirname \"$0\")\"\nexec node scan.js\n", BenchRuntime.Node)]
    [InlineData("#!/bin/sh\nfor i in 1 2 3; do\n  ./hot $i\ndone\n", BenchRuntime.Native)]
    [InlineData("#!/bin/sh\n. ./env.sh\njava -cp out Main > /dev/null 2>&1\n", BenchRuntime.Jvm)]
    public void A_script_runs_what_its_shebang_or_its_text_says(string text, BenchRuntime runtime)
    {
        var probe = System().Script("/repo/bench", text).Elf("/repo/hot").Script("/repo/env.sh", "export X=1\n");

        var viaPath = Detect(probe, "./bench");
        var viaShell = Detect(probe, "sh bench");

        Assert.Equal(runtime, viaPath.Runtime);
        Assert.False(viaPath.Direct);
        if (text.StartsWith("#!/bin/", StringComparison.Ordinal))
        {
            Assert.Equal(runtime, viaShell.Runtime);
        }
    }

    [Fact]
    public void A_pyenv_shim_is_python_by_its_name_though_it_is_a_bash_script()
    {
        var probe = new FakeProbe().Script("/usr/bin/python3", "#!/usr/bin/env bash\nexec pyenv exec python3 \"$@\"\n");
        var detection = Detect(probe, "python3 bench.py");
        Assert.Equal(BenchRuntime.Python, detection.Runtime);
        Assert.True(detection.Direct);
    }

    [Fact]
    public void A_dotnet_app_host_is_dotnet_not_native()
    {
        var probe = System().Elf("/repo/out/App").Plain("/repo/out/App.dll").Plain("/repo/out/App.runtimeconfig.json");
        Assert.Equal(BenchRuntime.DotNet, Detect(probe, "./out/App").Runtime);
    }

    [Fact]
    public void An_interpreter_in_a_script_wins_over_the_native_tools_beside_it()
    {
        var probe = System().Elf("/repo/gen").Script("/repo/bench.sh", "#!/bin/sh\n./gen > input.txt\nsort input.txt | uniq > /dev/null\npython3 scan.py input.txt\n");
        var detection = Detect(probe, "sh bench.sh");
        Assert.Equal(BenchRuntime.Python, detection.Runtime);
        Assert.Contains("started by bench.sh", detection.Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("echo hello", "'echo' is a shell built-in or a system tool")]
    [InlineData("sh -c 'echo hello; grep x y'", "runs no program of the repository")]
    [InlineData("grep -c x file", "'grep' is a shell built-in or a system tool")]
    [InlineData("sort data.txt | uniq -c", "runs no program of the repository")]
    [InlineData("make bench", "builds before it runs")]
    [InlineData("cargo run --release", "builds before it runs")]
    [InlineData("./missing --x", "'./missing' is not found")]
    [InlineData("ruby bench.rb", "'ruby' is not found on PATH")]
    public void What_cannot_be_profiled_says_why(string command, string why)
    {
        var detection = Detect(System(), command);
        Assert.Null(detection.Runtime);
        Assert.Contains(why, detection.Description, StringComparison.Ordinal);
    }
}
