using System.Text;
using Perfloop.Init;
using Perfloop.Processes;

namespace Perfloop.Tests.Init;

public sealed class VersionManagerShimsTests : IDisposable
{
    const string PyenvShim = "#!/usr/bin/env bash\nset -e\nprogram=\"${0##*/}\"\nexport PYENV_ROOT=\"/root/.pyenv\"\nexec \"/root/.pyenv/libexec/pyenv\" exec \"$program\" \"$@\"\n";

    readonly string directory = Directory.CreateTempSubdirectory("perfloop-shims-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Theory]
    [InlineData("python3 bench.py", new[] { "python3" })]
    [InlineData("./bench.sh --fast", new[] { "./bench.sh" })]
    [InlineData("cd src && FOO=1 env -i BAR=2 time ruby x.rb | tee out.txt; node 'run it.js'", new[] { "cd", "ruby", "tee", "node" })]
    [InlineData("exec nice -n 5 \"/opt/my tools/python3\" -c pass", new[] { "/opt/my tools/python3" })]
    [InlineData("(python3 a.py) & python3 b.py", new[] { "python3" })]
    [InlineData("taskset -c 0-1 chrt -f 50 env -u HOME PYTHONHASHSEED=0 pypy3 x.py", new[] { "pypy3" })]
    public void The_programs_of_a_bench_command_are_the_first_words_of_its_commands(string command, string[] programs) =>
        Assert.Equal(programs, VersionManagerShims.ProgramsOf(command));

    [Theory]
    [InlineData("/root/.pyenv/shims/python3", null, null, "pyenv")]
    [InlineData("/home/u/.rbenv/shims/ruby", null, null, "rbenv")]
    [InlineData("/home/u/.asdf/shims/node", null, null, "asdf")]
    [InlineData("/home/u/.local/share/mise/shims/python", null, null, "mise")]
    [InlineData("/home/u/.jenv/shims/java", null, null, "jenv")]
    [InlineData("/home/u/.volta/bin/node", null, null, "volta")]
    [InlineData("/opt/tools/node", "/home/u/.volta/bin/volta-shim", null, "volta")]
    [InlineData("/usr/local/bin/python", "/home/u/.local/bin/mise", null, "mise")]
    [InlineData("/opt/pythons/python3", null, PyenvShim, "pyenv")]
    [InlineData("/srv/bin/ruby", null, "#!/bin/sh\nexec /usr/lib/rbenv/libexec/rbenv exec ruby \"$@\"\n", "rbenv")]
    [InlineData("/srv/bin/node", null, "#!/bin/sh\nexec asdf exec node \"$@\"\n", "asdf")]
    [InlineData("/srv/bin/python", null, "#!/bin/sh\nexec mise x -- python \"$@\"\n", "mise")]
    [InlineData("/usr/bin/python3", null, null, null)]
    [InlineData("/usr/bin/python3", "/usr/bin/python3.11", null, null)]
    [InlineData("/home/u/project/shims/tool", null, null, null)]
    [InlineData("/home/u/project/bench.sh", null, "#!/bin/sh\nexec python3 bench.py \"$@\"\n", null)]
    public void A_shim_is_known_by_its_folder_its_link_or_the_manager_its_script_execs(string path, string? link, string? script, string? manager) =>
        Assert.Equal(manager, VersionManagerShims.Classify(path, link, script)?.Name);

    [Theory]
    [InlineData("/root/.pyenv/versions/3.11.7/bin/python3\n", "/root/.pyenv/versions/3.11.7/bin/python3")]
    [InlineData("  /usr/bin/ruby  \n\n", "/usr/bin/ruby")]
    [InlineData("", null)]
    [InlineData("python3\n", null)]
    [InlineData("/root/.pyenv/shims/python3\n", null)]
    public void The_real_program_is_the_absolute_path_the_manager_names(string output, string? real) =>
        Assert.Equal(real, VersionManagerShims.RealProgramFrom(output, "/root/.pyenv/shims/python3"));

    [Theory]
    [InlineData("#!/usr/bin/env python3\nprint(1)\n", "python3")]
    [InlineData("#!/usr/bin/env -S PYTHONHASHSEED=0 python3 -u\n", "python3")]
    [InlineData("#! /bin/sh\n", "/bin/sh")]
    [InlineData("echo no shebang\n", null)]
    public void A_scripts_interpreter_comes_from_its_first_line(string head, string? interpreter) =>
        Assert.Equal(interpreter, VersionManagerShims.Interpreter(head));

    [Fact]
    public async Task A_shim_on_path_is_reported_with_the_real_program_the_manager_names_in_the_repository()
    {
        var shims = Write(".pyenv/shims/python3", PyenvShim);
        var runner = new FakeRunner("/root/.pyenv/versions/3.12.1/bin/python3\n");

        var finding = Assert.Single(await VersionManagerShims.FindAsync(runner, "python3 bench.py --size 10", directory, CancellationToken.None, path: $"/nonexistent:{Path.GetDirectoryName(shims)}"));

        Assert.Equal(("python3", shims, "pyenv", "/root/.pyenv/versions/3.12.1/bin/python3"), (finding.Program, finding.ShimPath, finding.Manager.Name, finding.RealProgram));
        // The manager the shim execs is asked first, in the repository (its version files choose the version).
        var probe = runner.Specs[0];
        Assert.Equal(("/root/.pyenv/libexec/pyenv", "which python3", directory), (probe.FileName, string.Join(' ', probe.Arguments), probe.WorkingDirectory));
        Assert.Equal(VersionManagerShims.ProbeTimeout, probe.Timeout);
        Assert.Contains("/root/.pyenv/versions/3.12.1/bin/python3", finding.Advice, StringComparison.Ordinal);
        Assert.StartsWith("'python3' in the bench command is a pyenv shim (", finding.Advice, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_script_whose_interpreter_is_a_shim_is_reported_and_an_unanswered_probe_still_gives_advice()
    {
        var shims = Write(".rbenv/shims/ruby", "#!/usr/bin/env bash\nexec \"/usr/lib/rbenv/libexec/rbenv\" exec \"ruby\" \"$@\"\n");
        Write("bench.rb", "#!/usr/bin/env ruby\nputs 1\n");
        var runner = new FakeRunner(null);

        var finding = Assert.Single(await VersionManagerShims.FindAsync(runner, "./bench.rb", directory, CancellationToken.None, path: Path.GetDirectoryName(shims)));

        Assert.Equal(("ruby", "rbenv", null), (finding.Program, finding.Manager.Name, finding.RealProgram));
        Assert.Contains("('rbenv which ruby' names it)", finding.Advice, StringComparison.Ordinal);
        Assert.All(runner.Specs, s => Assert.Equal("which ruby", string.Join(' ', s.Arguments)));
    }

    [Fact]
    public async Task Real_programs_and_unknown_names_give_no_finding_and_no_probe()
    {
        var bin = Write("bin/tool", "#!/bin/sh\necho hi\n");
        var runner = new FakeRunner("/x\n");

        Assert.Empty(await VersionManagerShims.FindAsync(runner, "tool && no-such-program x", directory, CancellationToken.None, path: Path.GetDirectoryName(bin)));
        Assert.Empty(runner.Specs);
    }

    string Write(string relative, string content)
    {
        var file = Path.Combine(directory, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, content);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return file;
    }

    /// <summary>Answers every command with <paramref name="stdout"/> (exit 0), or fails it (exit 1) when null.</summary>
    sealed class FakeRunner(string? stdout) : IProcessRunner
    {
        public List<CommandSpec> Specs { get; } = [];

        public Task<ProcessResult> RunAsync(CommandSpec spec, CancellationToken cancellationToken = default)
        {
            Specs.Add(spec);
            var output = Encoding.UTF8.GetBytes(stdout ?? "");
            return Task.FromResult(new ProcessResult(stdout is null ? 1 : 0, null, false, false, TimeSpan.Zero, null, null, null, output, [], output.Length, 0, "", false, false));
        }
    }
}
