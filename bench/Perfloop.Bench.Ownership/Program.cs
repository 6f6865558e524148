using System.Diagnostics;
using System.Globalization;
using Perfloop.Processes;

// The cost of "one loop owns every process it starts": the end-of-command sweep that ends setsid survivors and reaps
// orphans. It runs after the command's exit was timed, so it never enters a measured wall time; this measures what it
// adds to the loop per command, for a command that leaves nothing (the common case) and one that leaves a setsid daemon,
// against the command's own wall time measured in the same run.
var commands = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 300;
var runner = new ProcessRunner();
var directory = Directory.CreateTempSubdirectory("perfloop-sweep-").FullName;
var processes = Directory.EnumerateDirectories("/proc").Count(d => int.TryParse(Path.GetFileName(d), out _));
Console.WriteLine($"processes on the machine: {processes}; load: {File.ReadAllText("/proc/loadavg").Trim()}");

foreach (var (name, spec) in new[]
{
    ("/bin/true (leaves nothing)", new CommandSpec("/bin/true", [], directory)),
    ("sh -c 'setsid sleep 30 &' (leaves a daemon)", CommandSpec.Shell("setsid sleep 30 >/dev/null 2>&1 </dev/null &", directory)),
})
{
    var walls = new List<double>();
    var sweeps = new List<double>();
    for (var i = 0; i < commands; i++)
    {
        var before = ProcessOwnership.SweepCost;
        var total = Stopwatch.StartNew();
        var result = await runner.RunAsync(spec);
        total.Stop();
        var after = ProcessOwnership.SweepCost;
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"{name} failed: {result.ExitCode}");
        }

        walls.Add(result.WallTime.TotalMilliseconds);
        sweeps.Add((after.Total - before.Total).TotalMilliseconds);
    }

    var leftovers = Directory.EnumerateDirectories("/proc").Count(d => int.TryParse(Path.GetFileName(d), out var pid)
        && File.Exists(Path.Combine(d, "cmdline")) && SafeRead(Path.Combine(d, "environ")).Contains(ProcessOwnership.LoopId, StringComparison.Ordinal));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{name}: {commands} commands; command wall time median {Median(walls):0.000} ms; sweep median {Median(sweeps):0.000} ms, p90 {Percentile(sweeps, 0.9):0.000} ms, max {sweeps.Max():0.000} ms; processes of this loop left: {leftovers}"));
}

// The recovery scan after a kill -9 reads /proc/*/environ of every process of this user, once per takeover.
var scans = new List<double>();
for (var i = 0; i < 50; i++)
{
    var scan = Stopwatch.StartNew();
    ProcessOwnership.EndLeftovers("00000000deadbeef");
    scans.Add(scan.Elapsed.TotalMilliseconds);
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"recovery scan of /proc by loop id (no match): median {Median(scans):0.000} ms over 50 scans"));
Directory.Delete(directory, recursive: true);

static string SafeRead(string path)
{
    try
    {
        return File.ReadAllText(path);
    }
    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
    {
        return "";
    }
}

static double Median(List<double> values) => Percentile(values, 0.5);

static double Percentile(List<double> values, double p)
{
    var sorted = values.Order().ToList();
    return sorted[(int)Math.Min(sorted.Count - 1, Math.Round(p * (sorted.Count - 1)))];
}
