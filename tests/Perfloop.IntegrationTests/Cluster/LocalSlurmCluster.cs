using System.Diagnostics;
using Perfloop.Cluster;
using Perfloop.IntegrationTests.Fixtures;
using Perfloop.Processes;

namespace Perfloop.IntegrationTests.Cluster;

/// <summary>
/// The one-node cluster of scripts/slurm-local.sh, as the tests use it. .ci/run brings it up before the tests, so these
/// tests fail (never skip) when it is missing: run <c>scripts/slurm-local.sh up</c> as root to get it locally.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
static class LocalSlurmCluster
{
    public const string Partition = "local";

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string Script => Path.Combine(RepositoryRoot, "scripts", "slurm-local.sh");

    static string StateDirectory => Environment.GetEnvironmentVariable("SLURM_LOCAL_STATE") ?? "/var/spool/slurm-local";

    /// <summary>Fails the test with what to do when Slurm's commands are missing or no node is ready.</summary>
    public static void Require()
    {
        const string how = "these tests run jobs on a real Slurm cluster; .ci/run brings up a one-node cluster with scripts/slurm-local.sh up, so run that (as root) to get it locally";
        if (FindOnPath("sinfo") is null || FindOnPath("sbatch") is null)
        {
            Assert.Fail($"sinfo/sbatch not found: {how}");
        }

        var (exit, output) = Run("sinfo", "--noheader", $"--partition={Partition}", "--format=%T");
        if (exit != 0 || !output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Any(s => s is "idle" or "mixed" or "allocated" or "completing"))
        {
            Assert.Fail($"no usable node in partition '{Partition}' (sinfo: exit {exit}, '{output.Trim()}'): {how}");
        }
    }

    /// <summary>The pid of the local cluster's slurmd, from its pid file.</summary>
    public static int SlurmdPid()
    {
        var file = Path.Combine(StateDirectory, "slurmd.pid");
        if (!File.Exists(file))
        {
            Assert.Fail($"{file} not found: stopping slurmd needs the cluster of scripts/slurm-local.sh up");
        }

        return int.Parse(File.ReadAllText(file).Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Kills the local cluster's slurmd and waits until it no longer runs. Not with Process.WaitForExitAsync: a slurmd
    /// restarted by <see cref="Up"/> was re-parented to this test host (Perfloop makes its process a child subreaper),
    /// and .NET neither reaps such a child nor sees a zombie as exited, so that wait never ends.
    /// </summary>
    public static async Task StopSlurmdAsync()
    {
        var pid = SlurmdPid();
        using (var slurmd = Process.GetProcessById(pid))
        {
            slurmd.Kill();
        }

        var clock = Stopwatch.StartNew();
        while (IsRunning(pid))
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                Assert.Fail($"slurmd ({pid}) still runs 30 s after SIGKILL");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Whether the process runs: a zombie (state Z) has exited, whoever its parent is.</summary>
    static bool IsRunning(int pid) => ProcessOwnership.ReadStat(pid) is { State: not 'Z' and not 'X' };

    /// <summary>Runs <c>scripts/slurm-local.sh up</c>: starts whatever of the cluster is not running and waits for the node.</summary>
    public static void Up()
    {
        var (exit, output) = Run("bash", Script, "up");
        Assert.True(exit == 0, $"scripts/slurm-local.sh up failed: {output}");
    }

    /// <summary>Polls until the job satisfies <paramref name="done"/>, at most <paramref name="limit"/>; returns the last status.</summary>
    public static async Task<JobStatus> WaitAsync(SlurmClient client, string id, Func<JobStatus, bool> done, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        JobStatus status;
        do
        {
            status = (await client.QueryAsync([id], CancellationToken.None))[id];
            if (done(status))
            {
                return status;
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }
        while (clock.Elapsed < limit);

        Assert.Fail($"job {id} is still {status.Describe()} after {limit.TotalSeconds:0} s");
        return status;
    }

    public static SlurmClient Client(string directory) => new(new ProcessRunner(), directory);

    /// <summary>Writes an executable job script.</summary>
    public static string JobScript(string directory, string name, string body)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        return path;
    }

    static (int Exit, string Output) Run(string program, params string[] arguments) =>
        ChildProcess.Run(program, null, TimeSpan.FromMinutes(3), arguments);

    static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Perfloop.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"Perfloop.slnx not found above {AppContext.BaseDirectory}");
    }
}
