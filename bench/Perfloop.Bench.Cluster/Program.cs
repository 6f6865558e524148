// Benchmarks of running candidates as cluster jobs (docs/cluster.md, bench/RESULTS.md "Cluster").
//
//   dotnet run -c Release --project bench/Perfloop.Bench.Cluster -- overhead [jobs=25] [partition=local]
//       The scheduler's overhead per job on a real Slurm cluster (scripts/slurm-local.sh up for the one-node one):
//       trivial jobs that record their own start and end, submitted through Perfloop's SlurmClient.
//   dotnet run -c Release --project bench/Perfloop.Bench.Cluster -- simulate [seeds=50] [submit-to-start-s=1] [end-to-seen-s=1]
//       ClusterRule (the coordinator's decision rule) on 1, 2, 4, 8, 16 simulated nodes over 40-candidate queues:
//       wall time against nodes, and whether the kept set is the serial run's.
using System.Diagnostics;
using System.Globalization;
using Perfloop.Cluster;
using Perfloop.Processes;

var mode = args.Length > 0 ? args[0] : "simulate";
return mode switch
{
    "overhead" => await OverheadAsync(Arg(1, 25), args.Length > 2 ? args[2] : "local"),
    "simulate" => Simulate(Arg(1, 50), Double(2, 1), Double(3, 1)),
    _ => Usage(),
};

int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;

double Double(int index, double fallback) => args.Length > index ? double.Parse(args[index], CultureInfo.InvariantCulture) : fallback;

static int Usage()
{
    Console.Error.WriteLine("usage: Perfloop.Bench.Cluster overhead [jobs] [partition] | simulate [seeds] [submit-to-start-s] [end-to-seen-s]");
    return 2;
}

static async Task<int> OverheadAsync(int jobs, string partition)
{
    var directory = Directory.CreateTempSubdirectory("perfloop-cluster-bench-").FullName;
    var client = new SlurmClient(new ProcessRunner(), directory);
    // The job records its first and last moment (same machine, same clock as ours), then writes its result the way
    // a real job does: a temporary file renamed into place.
    var script = Path.Combine(directory, "job.sh");
    File.WriteAllText(script, "#!/bin/sh\ndate +%s.%N > \"$1.start\"\ndate +%s.%N > \"$1.tmp\"\nmv \"$1.tmp\" \"$1\"\n");
    if (!OperatingSystem.IsWindows())
    {
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
    Console.Error.WriteLine($"load before: {File.ReadAllText("/proc/loadavg").Trim()}");

    var sbatch = new List<double>();
    var submitToStart = new List<double>();
    var endToCompleted = new List<double>();
    var endToResult = new List<double>();
    var handover = new List<double>();
    try
    {
        // One job in flight at a time: the cost a lone job pays.
        for (var i = 0; i < jobs; i++)
        {
            var result = Path.Combine(directory, $"solo-{i}.json");
            var t0 = Now();
            var id = await client.SubmitAsync(Submission(script, directory, $"solo-{i}", result, partition), CancellationToken.None);
            sbatch.Add(Now() - t0);
            double? seen = null;
            double? completed = null;
            while (seen is null || completed is null)
            {
                if (seen is null && File.Exists(result))
                {
                    seen = Now();
                }

                if (completed is null && (await client.QueryAsync([id], CancellationToken.None))[id] is { IsOver: true } status)
                {
                    completed = Now();
                    if (status.Phase != JobPhase.Succeeded)
                    {
                        throw new InvalidOperationException($"job {id} ended {status.Describe()}");
                    }
                }

                await Task.Delay(50);
            }

            var start = Stamp(result + ".start");
            var end = Stamp(result);
            submitToStart.Add(start - t0);
            endToResult.Add(seen.Value - end);
            endToCompleted.Add(completed.Value - end);
        }

        // Two exclusive jobs submitted together: how soon the second starts once the first has ended (node handover).
        for (var i = 0; i < jobs; i++)
        {
            var first = Path.Combine(directory, $"pair-{i}-a.json");
            var second = Path.Combine(directory, $"pair-{i}-b.json");
            var a = await client.SubmitAsync(Submission(script, directory, $"pair-{i}-a", first, partition), CancellationToken.None);
            var b = await client.SubmitAsync(Submission(script, directory, $"pair-{i}-b", second, partition), CancellationToken.None);
            while ((await client.QueryAsync([a, b], CancellationToken.None)).Values.Any(s => !s.IsOver))
            {
                await Task.Delay(200);
            }

            handover.Add(Stamp(second + ".start") - Stamp(first));
        }
    }
    finally
    {
        Directory.Delete(directory, recursive: true);
    }

    Console.Error.WriteLine($"load after: {File.ReadAllText("/proc/loadavg").Trim()}");
    Console.WriteLine($"| {jobs} jobs each | median | p10 | p90 |");
    Console.WriteLine("|---|---|---|---|");
    foreach (var (name, values) in new[]
    {
        ("sbatch call (submit accepted)", sbatch),
        ("submit → job starts on the idle node", submitToStart),
        ("job ends → squeue says COMPLETED (50 ms polls)", endToCompleted),
        ("job ends → its result file is seen (50 ms polls)", endToResult),
        ("node handover: one exclusive job ends → the next starts", handover),
    })
    {
        Console.WriteLine($"| {name} | {Seconds(Quantile(values, 0.5))} | {Seconds(Quantile(values, 0.1))} | {Seconds(Quantile(values, 0.9))} |");
    }

    return 0;

    static SlurmSubmission Submission(string script, string directory, string name, string result, string partition) =>
        new(script, $"perfloop-bench-{name}", Path.Combine(directory, $"{name}.log"), "2") { Partition = partition, ScriptArguments = [result] };

    static double Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    static double Stamp(string path) => double.Parse(File.ReadAllText(path).Trim(), CultureInfo.InvariantCulture);

    static string Seconds(double value) => value.ToString("0.000", CultureInfo.InvariantCulture) + " s";
}

static int Simulate(int seeds, double submitToStart, double endToSeen)
{
    const int candidates = 40;
    const double threshold = 5;
    int[] nodes = [1, 2, 4, 8, 16];
    var walls = nodes.ToDictionary(n => n, _ => new List<double>());
    var jobs = nodes.ToDictionary(n => n, _ => new List<int>());
    var reverified = nodes.ToDictionary(n => n, _ => new List<int>());
    var identical = nodes.ToDictionary(n => n, _ => 0);
    var work = new List<double>();
    var kept = new List<int>();
    var clock = Stopwatch.StartNew();
    for (var seed = 1; seed <= seeds; seed++)
    {
        var queue = ClusterSimulator.RealisticQueue(candidates, seed);
        var serial = ClusterSimulator.SerialKept(queue, threshold);
        work.Add(queue.Sum(c => c.Seconds));
        kept.Add(serial.Count);
        foreach (var n in nodes)
        {
            var outcome = ClusterSimulator.Run(queue, n, threshold, submitToStart, endToSeen);
            walls[n].Add(outcome.WallSeconds);
            jobs[n].Add(outcome.Jobs);
            reverified[n].Add(outcome.Reverifications);
            identical[n] += outcome.Kept.SequenceEqual(serial) ? 1 : 0;
        }
    }

    Console.Error.WriteLine($"{seeds} queues of {candidates} candidates simulated in {clock.Elapsed.TotalSeconds:0.0} s");
    Console.WriteLine($"{seeds} seeded queues of {candidates} candidates; one evaluation's work median {Quantile(work, 0.5) / 60:0.0} min per queue, " +
        $"{Quantile(kept.Select(k => (double)k).ToList(), 0.5):0} kept (median); scheduler overhead {submitToStart:0.###} s submit→start, {endToSeen:0.###} s end→seen");
    Console.WriteLine();
    Console.WriteLine("| nodes | wall time, median (p10–p90) | speedup vs 1 node | jobs (median) | re-verifications (median) | kept set = serial run's |");
    Console.WriteLine("|---|---|---|---|---|---|");
    var one = Quantile(walls[1], 0.5);
    foreach (var n in nodes)
    {
        var median = Quantile(walls[n], 0.5);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {n} | {median / 60:0.0} min ({Quantile(walls[n], 0.1) / 60:0.0}–{Quantile(walls[n], 0.9) / 60:0.0}) | {one / median:0.00}× | {Quantile(jobs[n].Select(j => (double)j).ToList(), 0.5):0} | {Quantile(reverified[n].Select(j => (double)j).ToList(), 0.5):0} | {identical[n]}/{seeds} |"));
    }

    return 0;
}

static double Quantile(List<double> values, double q)
{
    var sorted = values.Order().ToList();
    var position = q * (sorted.Count - 1);
    var low = (int)Math.Floor(position);
    var high = (int)Math.Ceiling(position);
    return sorted[low] + ((sorted[high] - sorted[low]) * (position - low));
}
