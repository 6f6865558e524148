using Perfloop.Journal;
using Perfloop.Measurement;
using Perfloop.Statistics;

namespace Perfloop.Tests.Measurement;

public class VerdictReplayTests
{
    static readonly ResultRow Row = new()
    {
        Experiment = 3,
        Timestamp = DateTimeOffset.UnixEpoch,
        Domain = "cpu",
        Metric = "wall_ms",
        ThresholdPct = 5,
        Status = ExperimentStatus.Discard,
    };

    static List<RunSample> Samples(int pairs, double ratio, int seed)
    {
        var random = new Random(seed);
        var samples = new List<RunSample>();
        for (var pair = 0; pair < pairs; pair++)
        {
            var drift = 1 + (pair * 0.002);
            samples.Add(new RunSample(pair, Side.Candidate, samples.Count, 200 * ratio * drift * (1 + (random.NextDouble() * 0.01)), null, null, 0, new Dictionary<string, double>()));
            samples.Add(new RunSample(pair, Side.Baseline, samples.Count, 200 * drift * (1 + (random.NextDouble() * 0.01)), null, null, 0, new Dictionary<string, double>()));
        }

        return samples;
    }

    [Fact]
    public void The_replay_gives_what_the_sequential_test_gave_at_the_same_look()
    {
        var samples = Samples(6, 0.7, 1);
        var design = new SequentialDesign(6, 60);
        var baseline = samples.Where(s => s.Side == Side.Baseline).Select(s => s.WallMs).ToList();
        var candidate = samples.Where(s => s.Side == Side.Candidate).Select(s => s.WallMs).ToList();
        var original = SequentialTest.Evaluate(design, baseline, candidate, 5, MetricDirection.LowerIsBetter);

        var replay = VerdictReplay.Replay(3, samples, Row, design, MetricDirection.LowerIsBetter);

        Assert.Equal(Verdict.Improved, replay.Result.Verdict);
        Assert.Equal(original.Result, replay.Result);
        Assert.Equal(5, replay.Result.ThresholdPct);
        Assert.Equal("ms", replay.Unit);
    }

    [Fact]
    public void A_deterministic_verdict_of_one_block_is_replayed_exactly()
    {
        var samples = new List<RunSample>();
        for (var pair = 0; pair < 2; pair++)
        {
            samples.Add(new RunSample(pair, Side.Baseline, samples.Count, 1000, null, null, 0, new Dictionary<string, double>()));
            samples.Add(new RunSample(pair, Side.Candidate, samples.Count, 640, null, null, 0, new Dictionary<string, double>()));
        }

        var design = new SequentialDesign(6, 60) { Deterministic = true };
        var replay = VerdictReplay.Replay(3, samples, Row, design, MetricDirection.LowerIsBetter);
        Assert.Equal(Verdict.Improved, replay.Result.Verdict);
        Assert.Equal(-36.0, replay.Result.Estimate.DeltaPct, 9);
        Assert.StartsWith("deterministic metric, 2 pairs", replay.Why, StringComparison.Ordinal);

        // Without the calibration's evidence of a deterministic metric, two pairs are too few.
        Assert.Throws<Perfloop.Errors.PerfloopException>(() => VerdictReplay.Replay(3, samples, Row, new SequentialDesign(6, 60), MetricDirection.LowerIsBetter));
    }

    [Fact]
    public void A_run_stopped_between_looks_is_replayed_as_a_forced_final_look()
    {
        var samples = Samples(8, 1.0, 2);
        var design = new SequentialDesign(6, 60);
        Assert.DoesNotContain(8, design.Looks);

        var replay = VerdictReplay.Replay(3, samples, Row, design, MetricDirection.LowerIsBetter);

        Assert.Contains("budget exhausted", replay.Why, StringComparison.Ordinal);
        Assert.Equal(design.ForcedStopConfidenceLevel(8), replay.Result.Estimate.ConfidenceLevel, 12);
    }

    [Fact]
    public void Incomplete_pairs_are_left_out_and_too_few_pairs_are_refused()
    {
        var samples = Samples(4, 0.7, 3);
        samples.RemoveAt(samples.Count - 1);
        samples.RemoveAt(samples.Count - 1);
        samples.RemoveAt(samples.Count - 1); // pair 3 gone, pair 2 half gone

        var error = Assert.Throws<Perfloop.Errors.PerfloopException>(() => VerdictReplay.Replay(3, samples, Row, new SequentialDesign(6, 60), MetricDirection.LowerIsBetter));

        Assert.Contains("2 complete pairs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_samples_the_message_says_how_the_experiment_ended_before_measuring()
    {
        var stale = Row with { Reason = "patch does not apply: app.sh: hunk @@ -1 +1 @@ (line 1) does not match the file" };
        Assert.Equal(
            "experiment 3 was discarded before measuring: patch does not apply: app.sh: hunk @@ -1 +1 @@ (line 1) does not match the file; it has no samples, so there is no verdict to recompute",
            VerdictReplay.NoSamples(stale, ".perfloop/experiments/3/samples.tsv"));
        Assert.StartsWith("experiment 3 crashed before measuring: build failed", VerdictReplay.NoSamples(Row with { Status = ExperimentStatus.Crash, Reason = "build failed" }, "s"), StringComparison.Ordinal);
        Assert.Equal(
            "experiment 3 has no samples (s is missing), though results.tsv says it measured 16 pairs",
            VerdictReplay.NoSamples(Row with { Pairs = 16 }, "s"));
    }
}
