using System.Text.Json;

using Perfloop.Configuration;

namespace Perfloop.Measurement;

/// <summary>
/// Reads BenchmarkDotNet's full JSON export (<c>*-report-full.json</c>, <c>*-report-full-compressed.json</c>) so
/// a user's BenchmarkDotNet harness can feed the loop. Each benchmark gives
/// <c>bdn.&lt;Type&gt;.&lt;Method&gt;[(params)].median_ns</c>, <c>.mean_ns</c> (per operation, from
/// <c>Statistics</c>) and <c>.allocated_bytes</c> (<c>Memory.BytesAllocatedPerOperation</c>, with
/// <c>[MemoryDiagnoser]</c>); when the export holds a single benchmark, also <c>bdn.median_ns</c>,
/// <c>bdn.mean_ns</c> and <c>bdn.allocated_bytes</c>. Parameters read <c>(N:100,Size:3)</c>; other characters that
/// samples.tsv cannot hold become '_'.
/// </summary>
public static class BenchmarkDotNetReport
{
    public const string Prefix = MetricVocabulary.BenchmarkDotNetPrefix;
    public const string MedianSuffix = MetricVocabulary.BenchmarkDotNetMedianSuffix;
    public const string MeanSuffix = MetricVocabulary.BenchmarkDotNetMeanSuffix;
    public const string AllocatedSuffix = MetricVocabulary.BenchmarkDotNetAllocatedSuffix;

    /// <summary>The file names BenchmarkDotNet gives its full JSON export.</summary>
    public static bool IsFullReport(string fileName) =>
        fileName.EndsWith("-report-full.json", StringComparison.Ordinal) || fileName.EndsWith("-report-full-compressed.json", StringComparison.Ordinal);

    public static IReadOnlyDictionary<string, double> Parse(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new MetricSourceException($"not valid JSON (line {(e.LineNumber ?? 0) + 1}): {JsonMetrics.FirstSentence(e.Message)}");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("Benchmarks", out var benchmarks)
                || benchmarks.ValueKind != JsonValueKind.Array)
            {
                throw new MetricSourceException("not a BenchmarkDotNet full JSON export (no \"Benchmarks\" array)");
            }

            var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
            var count = 0;
            Dictionary<string, double> last = [];
            foreach (var benchmark in benchmarks.EnumerateArray())
            {
                count++;
                last = [];
                var name = Prefix + Name(benchmark) + ".";
                if (benchmark.TryGetProperty("Statistics", out var statistics) && statistics.ValueKind == JsonValueKind.Object)
                {
                    Add(last, MedianSuffix, statistics, "Median");
                    Add(last, MeanSuffix, statistics, "Mean");
                }

                if (benchmark.TryGetProperty("Memory", out var memory) && memory.ValueKind == JsonValueKind.Object)
                {
                    Add(last, AllocatedSuffix, memory, "BytesAllocatedPerOperation");
                }

                foreach (var (suffix, value) in last)
                {
                    metrics[name + suffix] = value;
                }
            }

            if (count == 1)
            {
                foreach (var (suffix, value) in last)
                {
                    metrics[Prefix + suffix] = value;
                }
            }

            return metrics;
        }
    }

    /// <summary>Reads every full export in <paramref name="directory"/>, newest file winning a name clash.</summary>
    public static IReadOnlyDictionary<string, double> ReadDirectory(string directory, Func<string, bool> include)
    {
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        if (!Directory.Exists(directory))
        {
            return metrics;
        }

        foreach (var file in Directory.EnumerateFiles(directory)
                     .Where(f => IsFullReport(Path.GetFileName(f)) && include(f))
                     .OrderBy(File.GetLastWriteTimeUtc))
        {
            IReadOnlyDictionary<string, double> parsed;
            try
            {
                parsed = Parse(File.ReadAllText(file));
            }
            catch (MetricSourceException e)
            {
                throw new MetricSourceException($"{Path.GetFileName(file)}: {e.Message}");
            }

            foreach (var (name, value) in parsed)
            {
                metrics[name] = value;
            }
        }

        return metrics;
    }

    static string Name(JsonElement benchmark)
    {
        var type = Text(benchmark, "Type");
        var method = Text(benchmark, "Method");
        var name = type.Length > 0 && method.Length > 0 ? $"{type}.{method}" : Text(benchmark, "FullName");
        var parameters = Text(benchmark, "Parameters");
        if (parameters.Length > 0)
        {
            name += "(" + parameters.Replace('=', ':').Replace('&', ',') + ")";
        }

        return MetricNames.Sanitize(name);
    }

    static string Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : "";

    static void Add(Dictionary<string, double> metrics, string suffix, JsonElement owner, string property)
    {
        if (owner.TryGetProperty(property, out var value)
            && value.ValueKind == JsonValueKind.Number
            && value.TryGetDouble(out var number)
            && double.IsFinite(number))
        {
            metrics[suffix] = number;
        }
    }

    /// <summary>Whether a metric name is one of this reader's, whatever the benchmark.</summary>
    public static bool IsMetricName(string name) => MetricVocabulary.IsBenchmarkDotNetName(name);
}
