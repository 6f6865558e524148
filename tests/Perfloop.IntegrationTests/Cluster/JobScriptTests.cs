using System.Diagnostics;
using Perfloop.Cluster;

namespace Perfloop.IntegrationTests.Cluster;

public sealed class JobScriptTests : IDisposable
{
    readonly string directory = Directory.CreateTempSubdirectory("perfloop-jobscript-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    /// <summary>The job script goes through /bin/sh: every argument must arrive exactly as given, whatever it holds.</summary>
    [Fact]
    public void The_job_script_hands_perfloop_its_arguments_unchanged()
    {
        var request = Path.Combine(directory, "it's a \"job\" $HOME `x` \\ dir", "request.json");
        var script = Path.Combine(directory, "job.sh");
        File.WriteAllText(script, JobScript.Render(["printf", "[%s]\\n"], request, "perfloop-r1-000-0; rm -rf /"));

        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("perfloop job perfloop-r1-000-0rm-rf on ", lines[0], StringComparison.Ordinal);
        Assert.Equal(["[cluster-job]", "[--request]", $"[{request}]"], lines[1..]);
        Assert.Equal(0, process.ExitCode);
    }
}
