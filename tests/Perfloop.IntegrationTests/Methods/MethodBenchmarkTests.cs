using Perfloop.IntegrationTests.Fixtures;
using Perfloop.Methods;
using Perfloop.Statistics;

namespace Perfloop.IntegrationTests.Methods;

public sealed class MethodBenchmarkTests
{
    // The candidate does half the work and allocates a 1,000-int scratch array per call.
    const string Source = """
        namespace Work;
        public static class Loops
        {
            public static int[]? Scratch;

            public static long Sum(int n)
            {
        #if CANDIDATE
                Scratch = new int[1000];  // escapes, so the JIT cannot stack-allocate it
                long total = 0;
                for (var i = 0; i < n / 2; i++) total += (i * 7) % 13;
                return total * 2;
        #else
                long total = 0;
                for (var i = 0; i < n; i++) total += (i * 7) % 13;
                return total;
        #endif
            }
        }
        """;

    static MethodBenchmarkRequest Request(string baseline, string candidate) =>
        new(baseline, candidate, MethodName.Parse("Work.Loops.Sum"), MethodInputs.FromJson("[[20000]]", "test"), ThresholdPct: 5)
        {
            BatchTarget = TimeSpan.FromMilliseconds(0.5),
            MinWarmup = TimeSpan.FromMilliseconds(200),
            MaxWarmup = TimeSpan.FromSeconds(3),
            MaxDuration = TimeSpan.FromSeconds(10),
        };

    [Fact]
    public void FindsTheFasterBuildAndCountsItsAllocations()
    {
        using var baseline = InMemoryBuild.Compile("Work", Source);
        using var candidate = InMemoryBuild.Compile("Work", Source, "CANDIDATE");

        var report = MethodBenchmark.Run(Request(baseline.Directory, candidate.Directory));

        Assert.Equal(Verdict.Improved, report.Result?.Verdict);
        Assert.InRange(report.CandidateNsPerOp / report.BaselineNsPerOp, 0.3, 0.8);
        Assert.Equal(0, report.BaselineBytesPerOp);
        Assert.InRange(report.CandidateBytesPerOp, 4000, 4100);
        Assert.Equal(report.Pairs * 4, report.Samples.Count * 2);
    }

    [Fact]
    public void TheSameBuildAgainstItselfIsNoImprovement()
    {
        using var baseline = InMemoryBuild.Compile("Work", Source);

        var report = MethodBenchmark.Run(Request(baseline.Directory, baseline.Directory));

        Assert.NotEqual(Verdict.Improved, report.Result?.Verdict);
        Assert.NotEqual(Verdict.Regressed, report.Result?.Verdict);
    }

    [Fact]
    public async Task TheLoopsDotnetMethodMicroBenchmarkFindsTheAssemblyInEachTreeAndRecordsItsSamples()
    {
        using var baseline = InMemoryBuild.Compile("Work", Source);
        using var candidate = InMemoryBuild.Compile("Work", Source, "CANDIDATE");
        var trees = Directory.CreateTempSubdirectory("perfloop-micro-trees-").FullName;
        try
        {
            // Trees laid out as the loop sees them: the build output in out/ of each.
            foreach (var (name, build) in new[] { ("base", baseline), ("work", candidate) })
            {
                Directory.CreateDirectory(Path.Combine(trees, name, "out"));
                File.Copy(Path.Combine(build.Directory, "Work.dll"), Path.Combine(trees, name, "out", "Work.dll"));
            }

            var micro = new Perfloop.Micro.DotnetMethodMicroBenchmark("Loops.Sum", new Perfloop.Configuration.DotnetMethodMicro { Assembly = "out/Work.dll", Type = "Work.Loops", Method = "Sum", Arguments = ["20000"] });
            var plan = new Perfloop.Measurement.MeasurementPlan(0, new SequentialDesign(), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60), 1);
            var samples = Path.Combine(trees, "micro-samples.tsv");

            var outcome = await micro.RunAsync(new Perfloop.Micro.MicroRequest(Path.Combine(trees, "base"), Path.Combine(trees, "work"), 5, plan, samples), CancellationToken.None);

            Assert.Null(outcome.Failure);
            Assert.Equal(Verdict.Improved, outcome.Result?.Verdict);
            Assert.True(outcome.CandidateValue < outcome.BaselineValue);
            Assert.StartsWith("pair\tside\tns_per_op\tbytes_per_op\n0\t", File.ReadAllText(samples), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(trees, recursive: true);
        }
    }
}
