using Perfloop.Init;

namespace Perfloop.Tests.Init;

public sealed class BenchmarkDotNetDiscoveryTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("perfloop-bdn-").FullName;

    void Write(string path, string text)
    {
        var full = Path.Combine(root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
    }

    [Fact]
    public void FindsProjectsReferencingBenchmarkDotNetAndTheirBenchmarkClasses()
    {
        Write("src/App/App.csproj", "<Project Sdk=\"Microsoft.NET.Sdk\" />");
        Write("src/App/Benchmark.cs", "class NotABenchmark { [Benchmark] void M() {} }");
        Write("bench/Perf/Perf.csproj", "<Project><ItemGroup><PackageReference Include=\"BenchmarkDotNet\" /></ItemGroup></Project>");
        Write("bench/Perf/Sorting.cs", "public class SortBenchmarks { [Benchmark(Baseline = true)] public void A() {} [Benchmark] public void B() {} }\nclass Helper { }");
        Write("bench/Perf/Hashing.cs", "namespace X;\n[MemoryDiagnoser]\npublic class HashBenchmarks\n{\n    [BenchmarkDotNet.Attributes.Benchmark]\n    public void H() {}\n}");
        Write("bench/Perf/obj/Generated.cs", "class Stale { [Benchmark] void M() {} }");

        var found = Assert.Single(BenchmarkDotNetDiscovery.Find(root));

        Assert.Equal("bench/Perf/Perf.csproj", found.ProjectPath);
        Assert.Equal(["HashBenchmarks", "SortBenchmarks"], found.BenchmarkClasses);
        Assert.Equal("dotnet run -c Release --project bench/Perf/Perf.csproj -- --filter '*' --exporters json", found.SuggestedBench);
    }

    [Fact]
    public void OneBenchmarkClassNarrowsTheFilterToIt()
    {
        var project = new BenchmarkDotNetProject("b/B.csproj", ["PrimeBenchmarks"]);

        Assert.Equal("dotnet run -c Release --project b/B.csproj -- --filter '*PrimeBenchmarks*' --exporters json", project.SuggestedBench);
        Assert.Contains("re-run with --bench \"dotnet run", Perfloop.Errors.Mention.ForCommandLine(ProjectInitializer.MissingBench([project])), StringComparison.Ordinal);
        Assert.Contains("pick one", ProjectInitializer.MissingBench([project, project]), StringComparison.Ordinal);
        Assert.DoesNotContain("BenchmarkDotNet", ProjectInitializer.MissingBench([]), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dotnet run -c Release --project bench/Perf/Perf.csproj -- --filter '*' --exporters json", true)]
    [InlineData("dotnet run -c Release --project bench/Perf -- --filter '*'", true)]
    [InlineData("dotnet out/App.dll bench", false)]
    [InlineData("dotnet run --project src/App", false)]
    public void RecognisesABenchCommandThatRunsTheProject(string bench, bool runs)
    {
        var project = new BenchmarkDotNetProject("bench/Perf/Perf.csproj", ["SortBenchmarks"]);

        Assert.Equal(runs, BenchmarkDotNetDiscovery.RunBy([project], bench) is not null);
    }

    public void Dispose() => Directory.Delete(root, recursive: true);
}
