using Perfloop.IntegrationTests.Fixtures;
using Perfloop.Methods;

namespace Perfloop.IntegrationTests.Methods;

public sealed class MethodOracleTests
{
    const string Baseline = """
        namespace Shop;
        public sealed class Line { public string Name { get; set; } = ""; public int Quantity { get; set; } }
        public sealed class Order { public List<Line> Items { get; } = new(); public Dictionary<string, int> Tags { get; } = new(); }
        public static class Pricing
        {
            public static int Total(List<int> prices) { var sum = 0; foreach (var p in prices) sum += p; return sum; }
            public static int[] Doubled(int[] values) => values.Select(v => v * 2).ToArray();
            public static int Count(Order order) { order.Tags["counted"] = 1; return order.Items.Count; }
            public static double Mean(double[] values) => values.Sum() / values.Length;
            public static int First(List<int> prices) => prices.Count == 0 ? -1 : prices[0];
        }
        public static class Probe
        {
            public static IEnumerable<object?[]> Orders()
            {
                var order = new Order();
                foreach (var name in new[] { "a", "b", "c", "d" }) order.Items.Add(new Line { Name = name, Quantity = 1 });
                yield return new object?[] { order };
            }
        }
        """;

    static string Candidate(string from, string to) => Baseline.Replace(from, to, StringComparison.Ordinal);

    static MethodOracleReport Run(string candidateSource, string method, MethodInputs inputs, double tolerance = 0)
    {
        using var baseline = InMemoryBuild.Compile("Shop", Baseline);
        using var candidate = InMemoryBuild.Compile("Shop", candidateSource);
        return MethodOracle.Compare(new MethodOracleRequest(baseline.Directory, candidate.Directory, MethodName.Parse(method), inputs, tolerance));
    }

    [Fact]
    public void CatchesACandidateThatMutatesAnArgumentWhileReturningTheSameValue()
    {
        // Sorting the caller's list first gives the same sum, but the caller sees its list reordered.
        var sorting = Candidate("{ var sum = 0; foreach (var p in prices)", "{ prices.Sort(); var sum = 0; foreach (var p in prices)");

        var report = Run(sorting, "Shop.Pricing.Total", MethodInputs.FromJson("[[[5, 1, 3]], [[1, 2]]]", "test"));

        Assert.False(report.Equal);
        Assert.Equal(["input 0: args[0][0]: 5 vs 1", "input 0: args[0][1]: 1 vs 3", "input 0: args[0][2]: 3 vs 5"], report.Differences.Select(d => d.ToString()));
    }

    [Fact]
    public void SameBehaviourIsEqual()
    {
        var rewritten = Candidate("{ var sum = 0; foreach (var p in prices) sum += p; return sum; }", "{ var sum = 0; for (var i = 0; i < prices.Count; i++) sum += prices[i]; return sum; }");

        var report = Run(rewritten, "Shop.Pricing.Total", MethodInputs.FromJson("[[[5, 1, 3]], [[]]]", "test"));

        Assert.True(report.Equal, string.Join("; ", report.Differences));
        Assert.Equal(2, report.Inputs);
    }

    [Fact]
    public void ReportsAReturnValueDifferenceByIndex()
    {
        var report = Run(Candidate("v => v * 2", "v => v == 3 ? 7 : v * 2"), "Shop.Pricing.Doubled", MethodInputs.FromJson("[[[1, 2, 3]]]", "test"));

        Assert.Equal("input 0: return[2]: 6 vs 7", Assert.Single(report.Differences).ToString());
    }

    [Fact]
    public void ReportsAnExceptionTheBaselineDidNotThrow()
    {
        var throwing = Candidate("prices.Count == 0 ? -1 : prices[0]", "prices.Count == 0 ? throw new InvalidOperationException() : prices[0]");

        var report = Run(throwing, "Shop.Pricing.First", MethodInputs.FromJson("[[[4]], [[]]]", "test"));

        Assert.Equal("input 1: exception: none vs System.InvalidOperationException", Assert.Single(report.Differences).ToString());
    }

    [Fact]
    public void WalksIntoObjectGraphsOfUserTypesMadeByAProbeInEachBuild()
    {
        // The candidate renames an item and tags differently: both found, with paths into the graph.
        var renaming = Candidate("order.Tags[\"counted\"] = 1; return", "order.Items[3].Name = \"x\"; order.Tags[\"counted\"] = 2; return");

        var report = Run(renaming, "Shop.Pricing.Count", MethodInputs.FromProbe("Shop.Probe"));

        Assert.Equal(["input 0: args[0].Items[3].Name: \"d\" vs \"x\"", "input 0: args[0].Tags[\"counted\"]: 1 vs 2"], report.Differences.Select(d => d.ToString()));
    }

    [Fact]
    public void ComparesDoublesExactlyUnlessGivenATolerance()
    {
        // Summing in another order changes the last bits of the mean.
        var reordered = Candidate("values.Sum() / values.Length", "values.Reverse().Sum() / values.Length");
        var inputs = MethodInputs.FromJson("[[[0.1, 0.2, 0.3, 1e16, -1e16]]]", "test");

        Assert.Single(Run(reordered, "Shop.Pricing.Mean", inputs).Differences);
        Assert.True(Run(reordered, "Shop.Pricing.Mean", inputs, tolerance: 1).Equal);
    }

    [Fact]
    public void VerbExitsOneWithTheDifferenceAndZeroWhenEqual()
    {
        using var baseline = InMemoryBuild.Compile("Shop", Baseline);
        using var sorting = InMemoryBuild.Compile("Shop", Candidate("{ var sum = 0; foreach (var p in prices)", "{ prices.Sort(); var sum = 0; foreach (var p in prices)"));
        var args = Path.Combine(baseline.Directory, "args.json");
        File.WriteAllText(args, "[[[2, 1]]]");

        var different = PerfloopProcess.Run(baseline.Directory, "method-oracle", "--baseline", baseline.Directory, "--candidate", sorting.Directory, "--method", "Shop.Pricing.Total", "--args", args);
        var same = PerfloopProcess.Run(baseline.Directory, "method-oracle", "--baseline", baseline.Directory, "--candidate", baseline.Directory, "--method", "Shop.Pricing.Total", "--args", args, "--json");
        var unknown = PerfloopProcess.Run(baseline.Directory, "method-oracle", "--baseline", baseline.Directory, "--candidate", baseline.Directory, "--method", "Shop.Pricing.Nope", "--args", args);

        Assert.Equal(1, different.ExitCode);
        Assert.Contains("input 0: args[0][0]: 2 vs 1", different.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, same.ExitCode);
        Assert.Contains("\"equal\": true", same.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, unknown.ExitCode);
        Assert.StartsWith("perfloop: --method: Shop.Pricing.Nope is not a public static", unknown.Stderr, StringComparison.Ordinal);
    }
}
