// Benchmark of the history review (spec step 1) on a repository of 10,000 commits.
// Usage: dotnet run -c Release --project bench/Perfloop.Bench.History [-- commits experiment-share repetitions]
// Builds the repository with one `git fast-import` (seconds, not minutes), writes a matching results.tsv, then times
// HistoryReview.ReadAsync — the one git log call plus parsing and the review — several times and prints the medians.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Perfloop.Git;
using Perfloop.Journal;
using Perfloop.Policies;
using Perfloop.Processes;

var commits = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
var repetitions = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 7;
var shares = args.Length > 1 ? [double.Parse(args[1], CultureInfo.InvariantCulture)] : new[] { 0.1, 1.0 };

var runner = new ProcessRunner();
Console.WriteLine($"| commits | experiment commits | results rows | review median | min | max | focus | avoid |");
Console.WriteLine($"|---|---|---|---|---|---|---|---|");
foreach (var share in shares)
{
    var root = Directory.CreateTempSubdirectory("perfloop-history-bench-").FullName;
    try
    {
        var generate = Stopwatch.StartNew();
        var rows = Generate(root, commits, share);
        generate.Stop();
        Console.Error.WriteLine($"generated {commits} commits ({share:P0} experiments) with git fast-import in {generate.Elapsed.TotalSeconds:0.0} s");

        var repository = await GitRepository.OpenAsync(runner, root);
        var times = new List<double>();
        HistoryReview review = null!;
        for (var i = 0; i < repetitions + 1; i++)
        {
            var clock = Stopwatch.StartNew();
            review = await HistoryReview.ReadAsync(repository, ResultsTable.Read(Path.Combine(root, ".perfloop", "results.tsv")));
            clock.Stop();
            if (i > 0)
            {
                // The first run warms the page cache and the JIT; the loop's own runs see a warm repository too.
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        times.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {commits:N0} | {review.ExperimentCommits:N0} | {rows:N0} | {times[times.Count / 2]:0} ms | {times[0]:0} ms | {times[^1]:0} ms | {review.Focus.Count} | {review.Avoid.Count} |"));
    }
    finally
    {
        Directory.Delete(root, recursive: true);
    }
}

// A repository whose commits each touch 1–3 of 400 files in 40 directories; a share of them are Perfloop KEEP commits
// (with the trailers the loop writes). results.tsv holds a row per experiment commit plus two discards for each.
static int Generate(string root, int commits, double experimentShare)
{
    Run(root, ["init", "-q", "-b", "main"], null);
    var random = new Random(42);
    var stream = new StringBuilder();
    var results = new StringBuilder(ResultsTable.Header + "\n");
    var experiment = 0;
    string[] strategies = ["algorithm", "data-structure", "caching", "allocation", "loops"];
    for (var c = 1; c <= commits; c++)
    {
        var isExperiment = random.NextDouble() < experimentShare;
        var message = isExperiment
            ? $"Speed up step {c}\n\nMeasured by Perfloop: improved.\n\nTarget: Module{c % 40}.Run\nStrategy: {strategies[c % 5]}\nPerfloop-Experiment: {++experiment}\nPerfloop-Metric: wall_ms 100.0ms → 90.0ms (−10.0%, 95% CI −12.0…−8.0%, 10 runs)\n"
            : $"Ordinary change {c}\n";
        stream.Append("commit refs/heads/main\n");
        stream.Append(CultureInfo.InvariantCulture, $"mark :{c}\n");
        stream.Append(CultureInfo.InvariantCulture, $"committer Dev <dev@example.com> {1_700_000_000 + (c * 60)} +0000\n");
        var bytes = Encoding.UTF8.GetByteCount(message);
        stream.Append(CultureInfo.InvariantCulture, $"data {bytes}\n").Append(message).Append('\n');
        if (c > 1)
        {
            stream.Append(CultureInfo.InvariantCulture, $"from :{c - 1}\n");
        }

        for (var f = random.Next(1, 4); f > 0; f--)
        {
            var file = random.Next(400);
            var content = $"// file {file}, version {c}\n";
            stream.Append(CultureInfo.InvariantCulture, $"M 644 inline dir{file % 40}/file{file}.cs\ndata {Encoding.UTF8.GetByteCount(content)}\n{content}\n");
        }

        if (isExperiment)
        {
            for (var d = 0; d < 2; d++)
            {
                results.Append(ResultsTable.FormatRow(new ResultRow
                {
                    Experiment = experiment * 3 + d,
                    Timestamp = DateTimeOffset.UnixEpoch,
                    Domain = "cpu",
                    Target = $"Module{c % 40}.Run",
                    Strategy = strategies[(c + d + 1) % 5],
                    Summary = $"tried {c}/{d}",
                    Status = ExperimentStatus.Discard,
                    Reason = "no significant improvement",
                })).Append('\n');
            }

            results.Append(ResultsTable.FormatRow(new ResultRow
            {
                Experiment = experiment * 3 + 2,
                Timestamp = DateTimeOffset.UnixEpoch,
                Domain = "cpu",
                Target = $"Module{c % 40}.Run",
                Strategy = strategies[c % 5],
                Summary = $"Speed up step {c}",
                DeltaPct = -10,
                Status = ExperimentStatus.Keep,
                Commit = "",
            })).Append('\n');
        }
    }

    stream.Append("done\n");
    Run(root, ["fast-import", "--quiet", "--done"], stream.ToString());
    Run(root, ["reset", "-q", "--hard", "main"], null);
    Directory.CreateDirectory(Path.Combine(root, ".perfloop"));
    File.WriteAllText(Path.Combine(root, ".perfloop", "results.tsv"), results.ToString());
    return results.ToString().Count(ch => ch == '\n') - 1;
}

static void Run(string directory, string[] arguments, string? input)
{
    var start = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardInput = input is not null, RedirectStandardError = true };
    foreach (var argument in arguments)
    {
        start.ArgumentList.Add(argument);
    }

    using var process = Process.Start(start)!;
    if (input is not null)
    {
        process.StandardInput.Write(input);
        process.StandardInput.Close();
    }

    var error = process.StandardError.ReadToEnd();
    process.WaitForExit();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"git {string.Join(' ', arguments)} failed: {error}");
    }
}
