using Perfloop.Configuration;
using Perfloop.Fidelity;
using Perfloop.Micro;

namespace Perfloop.Tests.Micro;

public class MicroTargetsTests
{
    static readonly TargetSettings Primes = new() { Name = "PrimeScanner.PrimesUpTo", Micro = new MicroSettings { Command = "dotnet out/Demo.dll micro primes", Metric = "primes_ms" } };
    static readonly TargetSettings Scanner = new() { Name = "PrimeScanner", ProfileSharePct = 12 };

    [Theory]
    [InlineData("PrimeScanner.PrimesUpTo prime generation", "PrimeScanner.PrimesUpTo")]
    [InlineData("primescanner.primesupto", "PrimeScanner.PrimesUpTo")]
    [InlineData("PrimeScanner.Summarize", "PrimeScanner")]
    [InlineData("PrimeScanner.PrimesUpToLimit", "PrimeScanner")]
    [InlineData("PrimeScanners.All", null)]
    [InlineData("WordCounter.Count", null)]
    public void A_target_matches_by_name_or_prefix_and_the_longest_name_wins(string experimentTarget, string? expected)
    {
        Assert.Equal(expected, MicroTargets.Match([Scanner, Primes], experimentTarget)?.Name);
    }

    [Fact]
    public void A_dotnet_method_micro_benchmark_runs_in_process()
    {
        var method = new DotnetMethodMicro { Assembly = "out/Demo.dll", Type = "Demo.PrimeScanner", Method = "PrimesUpTo" };
        var runner = MicroTargets.Create("PrimeScanner.PrimesUpTo", new MicroSettings { DotnetMethod = method }, new Perfloop.Processes.ProcessRunner());
        var inProcess = Assert.IsType<DotnetMethodMicroBenchmark>(runner);
        Assert.Equal("dotnetMethod", inProcess.Kind);
        Assert.Same(method, inProcess.Method);
    }

    [Fact]
    public void The_hot_path_share_comes_from_the_ranking_first_then_the_config_then_the_impact_trailer()
    {
        var profile = new BenchmarkProfile("ranking", [new ProfiledFunction("Demo.PrimeScanner.PrimesUpTo", null, 36.2)], []);
        var measured = HotPathShare.Resolve("PrimeScanner.PrimesUpTo prime generation", profile, Scanner, "~40% of runtime", 5);
        Assert.Equal(36.2, measured.SharePct);
        Assert.StartsWith("measured: Demo.PrimeScanner.PrimesUpTo", measured.Source);

        var configured = HotPathShare.Resolve("PrimeScanner.PrimesUpTo", null, Scanner, "~40% of runtime", 5);
        Assert.Equal(12, configured.SharePct);
        Assert.Contains("profileSharePct", configured.Source);

        var estimated = HotPathShare.Resolve("PrimeScanner.PrimesUpTo", null, null, "~40% of runtime", 5);
        Assert.Equal(40, estimated.SharePct);
        Assert.Contains("Impact: ~40% of runtime", estimated.Source);

        Assert.Null(HotPathShare.Resolve("PrimeScanner.PrimesUpTo", null, null, "", 5).SharePct);
    }

    [Fact]
    public void The_benchmarkdotnet_export_gives_the_sum_of_medians()
    {
        const string json = """
            {"Title":"x","Benchmarks":[
              {"Type":"PrimeBench","Method":"Sieve","Statistics":{"Mean":1100.5,"Median":1000.0}},
              {"Type":"PrimeBench","Method":"Trial","Statistics":{"Mean":5100.0,"Median":5000.5}}]}
            """;
        Assert.Equal(6000.5, BenchmarkDotNetMicroBenchmark.SumOfMedians(json));
        Assert.Null(BenchmarkDotNetMicroBenchmark.SumOfMedians("""{"Benchmarks":[]}"""));
        Assert.Null(BenchmarkDotNetMicroBenchmark.SumOfMedians("not json"));
    }
}
