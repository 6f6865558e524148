using System.Text.Json;
using Perfloop.Configuration;
using Perfloop.IntegrationTests.Fixtures;
using Perfloop.Journal;
using Perfloop.Measurement;

namespace Perfloop.IntegrationTests.Cli;

public class MeasurementVerbTests
{
    static TempGitRepository RepositoryWithBench(string bench)
    {
        var repo = new TempGitRepository();
        repo.Write(PerfloopConfig.FileName, $$"""{ "bench": "{{bench}}", "measurement": { "warmupRuns": 0 } }""");
        repo.Write(".gitignore", ".perfloop/\n");
        repo.CommitAll("setup");
        return repo;
    }

    [Fact]
    public void Calibrate_json_reports_noise_threshold_and_every_run_on_stdout_alone()
    {
        using var repo = RepositoryWithBench("echo METRIC score=7");

        var result = PerfloopProcess.Run(repo.Root, "calibrate", "--runs", "4", "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        Assert.Equal("wall_ms", root.GetProperty("metric").GetProperty("name").GetString());
        Assert.Equal(4, root.GetProperty("pairs").GetInt32());
        Assert.Equal(8, root.GetProperty("runs").GetArrayLength());
        Assert.True(root.GetProperty("noisePct").GetDouble() >= 0);
        Assert.True(root.GetProperty("effectiveThresholdPct").GetDouble() >= 5);
        Assert.Equal(7, root.GetProperty("runs")[0].GetProperty("metrics").GetProperty("score").GetDouble());
        Assert.Contains("[calibrate]", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetDirectories(Perfloop.Git.Worktree.TempRoot, Path.GetFileName(repo.Root) + "-*"));
    }

    [Fact]
    public void Calibrate_text_prints_noise_and_threshold()
    {
        using var repo = RepositoryWithBench("true");

        var result = PerfloopProcess.Run(repo.Root, "calibrate", "--runs", "3");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("noise ", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("effective keep threshold", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Verdict_recomputes_the_recorded_verdict_from_the_samples()
    {
        using var repo = RepositoryWithBench("true");
        var samples = new List<RunSample>();
        var order = 0;
        for (var pair = 0; pair < 6; pair++)
        {
            var noise = 1 + (pair % 3 * 0.004);
            samples.Add(new RunSample(pair, Side.Baseline, order++, 100 * noise, null, null, 0, new Dictionary<string, double>()));
            samples.Add(new RunSample(pair, Side.Candidate, order++, 60 * noise * (1 + (pair % 2 * 0.003)), null, null, 0, new Dictionary<string, double>()));
        }

        Directory.CreateDirectory(PerfloopPaths.Experiment(repo.Root, 1));
        File.WriteAllText(Path.Combine(PerfloopPaths.Experiment(repo.Root, 1), "samples.tsv"), SampleTable.Format(samples));
        ResultsTable.Append(PerfloopPaths.Results(repo.Root), new ResultRow
        {
            Experiment = 1,
            Timestamp = DateTimeOffset.UnixEpoch,
            Domain = "cpu",
            Metric = "wall_ms",
            ThresholdPct = 5,
            Status = ExperimentStatus.Keep,
        });

        var line = PerfloopProcess.Run(repo.Root, "verdict", "1");
        var json = PerfloopProcess.Run(repo.Root, "verdict", "1", "--json");

        Assert.Equal(0, line.ExitCode);
        Assert.StartsWith("[experiment 1] Result: 100.4ms → 60.", line.Stdout, StringComparison.Ordinal);
        Assert.EndsWith("6 pairs) improved\n", line.Stdout, StringComparison.Ordinal);
        // The second figure is the baseline's median times the paired ratio, so the two agree with the change shown.
        var figures = System.Text.RegularExpressions.Regex.Match(line.Stdout, @"Result: ([0-9.]+)ms → ([0-9.]+)ms \(median × paired ratio: ([−+][0-9.]+)%");
        Assert.True(figures.Success, line.Stdout);
        var shown = (double.Parse(figures.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) / double.Parse(figures.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) - 1) * 100;
        Assert.Equal(double.Parse(figures.Groups[3].Value.Replace('−', '-'), System.Globalization.CultureInfo.InvariantCulture), shown, 0.1);
        using var document = JsonDocument.Parse(json.Stdout);
        Assert.Equal("improved", document.RootElement.GetProperty("verdict").GetString());
        Assert.Equal(5, document.RootElement.GetProperty("thresholdPct").GetDouble());
        Assert.Equal(6, document.RootElement.GetProperty("pairs").GetInt32());
    }

    [Fact]
    public void Verdict_of_a_missing_experiment_or_missing_samples_exits_2_with_one_line()
    {
        using var repo = RepositoryWithBench("true");
        ResultsTable.Append(PerfloopPaths.Results(repo.Root), new ResultRow
        {
            Experiment = 2,
            Timestamp = DateTimeOffset.UnixEpoch,
            Domain = "cpu",
            Metric = "wall_ms",
            ThresholdPct = 5,
            Status = ExperimentStatus.Discard,
            Reason = "patch does not apply: app.sh: hunk @@ -1 +1 @@ (line 1) does not match the file",
        });

        var missing = PerfloopProcess.Run(repo.Root, "verdict", "9");
        var noSamples = PerfloopProcess.Run(repo.Root, "verdict", "2");

        foreach (var (result, expected) in new[] { (missing, "experiment 9 is not in"), (noSamples, "experiment 2 was discarded before measuring: patch does not apply: app.sh: hunk @@ -1 +1 @@ (line 1) does not match the file; it has no samples") })
        {
            Assert.Equal(2, result.ExitCode);
            var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Single(lines);
            Assert.Contains(expected, lines[0], StringComparison.Ordinal);
        }
    }
}
