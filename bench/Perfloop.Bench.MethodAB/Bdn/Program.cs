using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;

namespace Bdn;

public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(ChecksumBenchmark).Assembly).Run(args);
}

/// <summary>The same call perfloop micro-ab times, under BenchmarkDotNet's default job.</summary>
public class ChecksumBenchmark
{
    int[] data = [];

    [GlobalSetup]
    public void Setup() => data = Subject.Inputs.Data();

    [Benchmark]
    public ulong Checksum() => Subject.Hashing.Checksum(data);
}
