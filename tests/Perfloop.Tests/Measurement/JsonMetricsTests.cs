using Perfloop.Measurement;

namespace Perfloop.Tests.Measurement;

public class JsonMetricsTests
{
    [Fact]
    public void A_flat_object_gives_one_metric_per_number()
    {
        var metrics = JsonMetrics.Parse("""{ "wall_ms": 812.5, "rps": 1.2e4, "label": "x", "ok": true, "none": null }""");

        Assert.Equal(2, metrics.Count);
        Assert.Equal(812.5, metrics["wall_ms"]);
        Assert.Equal(12000, metrics["rps"]);
    }

    [Fact]
    public void Nested_objects_and_arrays_are_flattened_with_dotted_paths()
    {
        var metrics = JsonMetrics.Parse("""{ "latency": { "p50": 3, "p95": 9.5 }, "runs": [ { "ms": 10 }, { "ms": 12 } ], "odd key=x": 1 }""");

        Assert.Equal(9.5, metrics["latency.p95"]);
        Assert.Equal(12, metrics["runs.1.ms"]);
        Assert.Equal(1, metrics["odd_key_x"]);
    }

    [Theory]
    [InlineData("latency.p95", 9.5)]
    [InlineData("$.latency.p95", 9.5)]
    [InlineData("runs[1].ms", 12)]
    [InlineData("runs.0.ms", 10)]
    [InlineData("text", 42)]
    public void A_selection_takes_the_named_paths_only(string path, double expected)
    {
        var json = """{ "latency": { "p50": 3, "p95": 9.5 }, "runs": [ { "ms": 10 }, { "ms": 12 } ], "text": "42" }""";

        var metrics = JsonMetrics.Parse(json, new Dictionary<string, string> { ["chosen"] = path });

        Assert.Equal(expected, Assert.Single(metrics).Value);
        Assert.Equal("chosen", metrics.Keys.Single());
    }

    [Theory]
    [InlineData("""{ "a": { "b": 1 } }""", "a.c", "nothing at 'a.c'")]
    [InlineData("""{ "a": { "b": 1 } }""", "a", "is an object, not a number")]
    [InlineData("""{ "a": [1] }""", "a.3", "nothing at 'a.3'")]
    [InlineData("""{ "a": "fast" }""", "a", "is a string, not a number")]
    [InlineData("""{ "a": 1 """, "a", "not valid JSON")]
    public void Bad_content_is_one_clear_message(string json, string path, string expected)
    {
        var error = Assert.Throws<MetricSourceException>(() => JsonMetrics.Parse(json, new Dictionary<string, string> { ["m"] = path }));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData("a.b.c", 3)]
    [InlineData("a[0].b", 3)]
    [InlineData("a..b", -1)]
    [InlineData("", -1)]
    [InlineData(".a", -1)]
    public void Paths_are_split_into_segments_or_rejected(string path, int segments)
    {
        var parsed = JsonMetrics.Segments(path);

        Assert.Equal(segments, parsed?.Count ?? -1);
    }
}
