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
}
