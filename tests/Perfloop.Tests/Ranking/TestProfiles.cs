using System.IO.Compression;
using Perfloop.Ranking;

namespace Perfloop.Tests.Ranking;

/// <summary>Paths to the committed real profiles, and a builder for small synthetic ones.</summary>
static class TestProfiles
{
    public static string Path(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "Ranking", "TestData", name);

    /// <summary>The committed trace is gzipped; each caller gets its own decompressed copy.</summary>
    public static string DecompressedNettrace()
    {
        var target = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"perfloop-test-{Guid.NewGuid():N}.nettrace");
        using var input = new GZipStream(File.OpenRead(Path("tiny.nettrace.gz")), CompressionMode.Decompress);
        using var output = File.Create(target);
        input.CopyTo(output);
        return target;
    }

    /// <summary>A profile from folded lines, e.g. "main;work 3".</summary>
    public static Profile Folded(params string[] lines) =>
        FoldedStackReader.Read(new StringReader(string.Join('\n', lines)), "test.folded");

    public static BottleneckRanking Rank(Profile profile, string? repositoryRoot = null) =>
        BottleneckRanker.Rank(new RankingInput(profile, "test.folded", DateTimeOffset.UnixEpoch, repositoryRoot));

    public static RankedFunction Function(this BottleneckRanking ranking, string name) =>
        ranking.Functions.Single(f => f.Function == name);
}
