using System.Text.Json;
using Perfloop.Ranking;

namespace Perfloop.Tests.Ranking;

public class BottlenecksFileTests
{
    [Fact]
    public async Task Round_trips_with_the_versioned_schema_and_the_bound_note()
    {
        var root = Path.Combine(Path.GetTempPath(), $"perfloop-bottlenecks-{Guid.NewGuid():N}");
        try
        {
            var ranking = BottleneckRanker.Rank(new RankingInput(TestProfiles.Folded("main;a 3", "main;b 1"), "p.folded", DateTimeOffset.UnixEpoch, null) { HeadSha = "abc" });
            await BottlenecksFile.WriteAsync(root, ranking);

            var json = JsonDocument.Parse(await File.ReadAllTextAsync(BottlenecksFile.PathIn(root))).RootElement;
            Assert.Equal("perfloop.bottlenecks/v1", json.GetProperty("schema").GetString());
            Assert.Contains("upper bound", json.GetProperty("impact").GetString(), StringComparison.Ordinal);
            Assert.Equal("folded", json.GetProperty("profile").GetProperty("format").GetString());
            var first = json.GetProperty("functions")[0];
            Assert.Equal("a", first.GetProperty("function").GetString());
            Assert.Equal(4.0, first.GetProperty("amdahlBound").GetDouble(), 9);

            var loaded = BottlenecksFile.Load(root)!;
            Assert.Equal(ranking.Functions, loaded.Functions);
            Assert.Equal("abc", loaded.HeadSha);
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    [Fact]
    public void No_file_loads_as_null()
    {
        Assert.Null(BottlenecksFile.Load(Path.Combine(Path.GetTempPath(), $"perfloop-none-{Guid.NewGuid():N}")));
    }
}
