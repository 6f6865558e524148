using Perfloop.IntegrationTests.Fixtures;

namespace Perfloop.IntegrationTests.Init;

/// <summary>
/// A bench whose program is a version-manager shim: a fake pyenv laid out like the real one (shims/ whose scripts
/// exec libexec/pyenv, which answers 'which' and 'exec'), first on PATH. init and calibrate say which real program to
/// call, as the manager names it.
/// </summary>
public sealed class ShimAdviceTests : IDisposable
{
    readonly string tools = Directory.CreateTempSubdirectory("perfloop-fake-pyenv-").FullName;

    public void Dispose() => Directory.Delete(tools, recursive: true);

    [Fact]
    public void Init_and_calibrate_name_the_real_program_behind_a_shim_on_path()
    {
        var root = Path.Combine(tools, ".pyenv");
        var real = Executable(Path.Combine(root, "versions", "9.9.9", "bin", "benchtool"), "#!/bin/sh\necho \"METRIC score=42\"\n");
        Executable(Path.Combine(root, "libexec", "pyenv"),
            $"#!/bin/sh\ncase \"$1\" in\n  which) echo \"{root}/versions/9.9.9/bin/$2\" ;;\n  exec) shift; program=\"$1\"; shift; exec \"{root}/versions/9.9.9/bin/$program\" \"$@\" ;;\n  *) exit 1 ;;\nesac\n");
        var shim = Executable(Path.Combine(root, "shims", "benchtool"),
            $"#!/bin/sh\nset -e\nprogram=\"${{0##*/}}\"\nexport PYENV_ROOT=\"{root}\"\nexec \"{root}/libexec/pyenv\" exec \"$program\" \"$@\"\n");
        var environment = new Dictionary<string, string> { ["PATH"] = $"{Path.GetDirectoryName(shim)}:{Environment.GetEnvironmentVariable("PATH")}" };
        using var repo = new TempGitRepository();
        repo.Write("README", "a program\n");
        repo.CommitAll("program");

        var init = PerfloopProcess.Run(repo.Root, environment, "init", "--bench", "benchtool --fast");
        Assert.True(init.ExitCode == 0, init.Stderr);
        var advice = $"advice: 'benchtool' in the bench command is a pyenv shim ({shim}): every run starts pyenv first; call the real program instead: {real} ('pyenv which benchtool')";
        Assert.Equal([advice], init.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Contains("advice", StringComparison.Ordinal)).Select(l => l.Trim()));

        repo.CommitAll("perfloop config");
        var calibrate = PerfloopProcess.Run(repo.Root, environment, "calibrate", "--runs", "3");
        Assert.True(calibrate.ExitCode == 0, calibrate.Stderr);
        Assert.Contains(advice, calibrate.Stderr, StringComparison.Ordinal);

        // The real program on PATH instead: nothing to advise.
        var direct = new Dictionary<string, string> { ["PATH"] = $"{Path.GetDirectoryName(real)}:{Environment.GetEnvironmentVariable("PATH")}" };
        var plain = PerfloopProcess.Run(repo.Root, direct, "init", "--force", "--bench", "benchtool --fast");
        Assert.True(plain.ExitCode == 0, plain.Stderr);
        Assert.DoesNotContain("advice", plain.Stderr, StringComparison.Ordinal);
    }

    static string Executable(string path, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }
}
