using Perfloop.Configuration;

namespace Perfloop.Measurement;

/// <summary>
/// The metric files a benchmark writes (<c>metrics.jsonFile</c>, <c>metrics.benchmarkDotNet</c> in perfloop.json),
/// read after each run from the tree that was measured. A file is only read when the run wrote it — its
/// modification time changed — so a stale file from an earlier run can never pass for a new measurement.
/// </summary>
public sealed record MetricSources(string? JsonFile, IReadOnlyDictionary<string, string>? Select, string? BenchmarkDotNetDirectory)
{
    public static MetricSources None { get; } = new(null, null, null);

    public static MetricSources From(MetricSourceSettings settings) =>
        new(settings.JsonFile, settings.Select, settings.BenchmarkDotNet);

    public bool IsEmpty => JsonFile is null && BenchmarkDotNetDirectory is null;

    /// <summary>Modification times of the metric files before a run, to tell a fresh file from a stale one.</summary>
    public IReadOnlyDictionary<string, DateTime> Snapshot(string directory)
    {
        var times = new Dictionary<string, DateTime>(StringComparer.Ordinal);
        foreach (var file in Files(directory))
        {
            times[file] = File.GetLastWriteTimeUtc(file); // far in the past for a missing file
        }

        return times;
    }

    /// <summary>The metrics the run wrote; throws <see cref="MetricSourceException"/> with the file's name when one is unusable.</summary>
    public IReadOnlyDictionary<string, double> Read(string directory, IReadOnlyDictionary<string, DateTime> before)
    {
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        if (JsonFile is not null)
        {
            var path = Path.Combine(directory, JsonFile);
            if (!Fresh(path, before))
            {
                throw new MetricSourceException($"{JsonFile}: the benchmark did not write this metrics file during the run");
            }

            try
            {
                foreach (var (name, value) in JsonMetrics.Parse(File.ReadAllText(path), Select))
                {
                    metrics[name] = value;
                }
            }
            catch (MetricSourceException e)
            {
                throw new MetricSourceException($"{JsonFile}: {e.Message}");
            }
        }

        if (BenchmarkDotNetDirectory is not null)
        {
            var found = BenchmarkDotNetReport.ReadDirectory(Path.Combine(directory, BenchmarkDotNetDirectory), file => Fresh(file, before));
            if (found.Count == 0)
            {
                throw new MetricSourceException(
                    $"{BenchmarkDotNetDirectory}: no BenchmarkDotNet full JSON export (*-report-full.json) was written during the run; add [JsonExporterAttribute.Full] or --exporters fulljson");
            }

            foreach (var (name, value) in found)
            {
                metrics[name] = value;
            }
        }

        return metrics;
    }

    IEnumerable<string> Files(string directory)
    {
        if (JsonFile is not null)
        {
            yield return Path.Combine(directory, JsonFile);
        }

        if (BenchmarkDotNetDirectory is not null && Directory.Exists(Path.Combine(directory, BenchmarkDotNetDirectory)))
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(directory, BenchmarkDotNetDirectory)))
            {
                yield return file;
            }
        }
    }

    static bool Fresh(string path, IReadOnlyDictionary<string, DateTime> before) =>
        File.Exists(path) && (!before.TryGetValue(path, out var earlier) || File.GetLastWriteTimeUtc(path) != earlier);
}
