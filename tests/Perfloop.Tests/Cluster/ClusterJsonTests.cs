using Perfloop.Cluster;
using Perfloop.Errors;
using Perfloop.Journal;
using Perfloop.Measurement;

namespace Perfloop.Tests.Cluster;

public sealed class ClusterJsonTests : IDisposable
{
    readonly string directory = Directory.CreateTempSubdirectory("perfloop-cluster-json-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    internal static Methodology SampleMethodology() => new()
    {
        Domain = "cpu",
        Metric = "wall_ms",
        Goal = "lower",
        Bench = "./bench.sh",
        WarmupRuns = 1,
        MinRuns = 6,
        MaxRuns = 60,
        CalibrationRuns = 10,
        MaxSeconds = 180,
        DomainThresholdPct = 5,
    };

    [Fact]
    public void A_request_and_a_result_survive_the_shared_filesystem_unchanged()
    {
        var request = new ClusterJobRequest
        {
            Run = "r1",
            Job = "perfloop-r1-002-0",
            Purpose = JobPurpose.Reverify,
            Candidate = new JobCandidate(2, "0003-dict.patch", "/shared/r1/patches/0003-dict.patch") { Summary = "Use a Dictionary", Target = "WordCounter.Count", Category = "algorithm" },
            Repository = new JobRepository("/shared/r1/bundles/abc.bundle", "abc123"),
            ThresholdPct = 5.5,
            Methodology = SampleMethodology(),
            Result = "/shared/r1/jobs/x/result.json",
            Artifacts = "/shared/r1/jobs/x/artifacts",
        };
        var path = Path.Combine(directory, "request.json");
        ClusterJson.Write(path, request);
        var text = File.ReadAllText(path);
        Assert.Contains("\"schema\": \"perfloop.cluster-job-request/v1\"", text, StringComparison.Ordinal);
        Assert.Contains("\"purpose\": \"reverify\"", text, StringComparison.Ordinal);
        var back = ClusterJson.Read<ClusterJobRequest>(path)!;
        Assert.Equal(request with { Methodology = back.Methodology }, back);
        Assert.Equal(request.Methodology, back.Methodology);
        Assert.Empty(Directory.GetFiles(directory, "*.tmp"));

        var result = new ClusterJobResult
        {
            Run = "r1",
            Job = request.Job,
            Commit = "abc123",
            Host = "n7",
            Row = new ResultRow
            {
                Experiment = 3,
                Timestamp = DateTimeOffset.UnixEpoch,
                Domain = "cpu",
                Metric = "wall_ms",
                Baseline = 342.2,
                Candidate = 184,
                DeltaPct = -46,
                CiLowPct = -46.9,
                CiHighPct = -45.4,
                Pairs = 6,
                Status = ExperimentStatus.Keep,
                Guard = GuardStatus.Passed,
                Reason = "improved",
                Extra = new Dictionary<string, string> { ["e2e_speedup"] = "1.89" },
            },
        };
        var resultPath = Path.Combine(directory, "result.json");
        ClusterJson.Write(resultPath, result);
        var read = ClusterJson.Read<ClusterJobResult>(resultPath)!;
        Assert.Equal(result.Row with { Extra = read.Row.Extra }, read.Row);
        Assert.Equal("1.89", read.Row.Extra["e2e_speedup"]);
        Assert.Contains("\"status\": \"keep\"", File.ReadAllText(resultPath), StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_null_and_a_damaged_one_is_an_error_naming_it()
    {
        Assert.Null(ClusterJson.Read<ClusterJobResult>(Path.Combine(directory, "nope.json")));
        Assert.Null(ClusterJson.Read<ClusterJobResult>(Path.Combine(directory, "no", "dir.json")));
        var damaged = Path.Combine(directory, "damaged.json");
        File.WriteAllText(damaged, "{ \"run\": ");
        var error = Assert.Throws<PerfloopException>(() => ClusterJson.Read<ClusterJobResult>(damaged));
        Assert.StartsWith($"{damaged}: not a valid ClusterJobResult", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_journal_round_trips_with_its_attempts_checks_and_decisions()
    {
        var journal = ClusterJournal.Start("r1", "/patches", 2, "h0", [new JobCandidate(0, "a.patch", "/s/a.patch"), new JobCandidate(0, "b.patch", "/s/b.patch")], DateTimeOffset.UnixEpoch)
            .Submitting(0, JobPurpose.Evaluate, "h0", DateTimeOffset.UnixEpoch).Submitted(0, "17")
            .Submitting(1, JobPurpose.Evaluate, "h0", DateTimeOffset.UnixEpoch)
            .Finished(0, 0, new JobFinish(ExperimentStatus.Keep, "improved") { SchedulerState = "COMPLETED", Result = "/s/r.json" })
            .Checked(1, new ApplyCheck("h0", null))
            .Deciding(0, new CandidateDecision(ExperimentStatus.Keep, "improved") { Attempt = 0 });
        Assert.Equal(1, journal.Candidates[1].Candidate.Index);
        Assert.Equal("perfloop-r1-001-0", journal.Candidates[1].Attempts[0].Name);
        var path = Path.Combine(directory, "jobs.json");
        ClusterJson.Write(path, journal);
        var back = ClusterJson.Read<ClusterJournal>(path)!;
        Assert.Equal(ClusterJson.Serialize(journal), ClusterJson.Serialize(back));
        Assert.Equal([(1, 0)], back.InFlight().Select(j => (j.Index, j.Attempt)));
        Assert.Null(back.InFlight().Single().Job.JobId);
    }
}
