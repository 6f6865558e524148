using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Perfloop.Configuration;
using Perfloop.Domains;
using Perfloop.Statistics;
using Perfloop.Storage;

namespace Perfloop.Measurement;

/// <summary>
/// How a verdict is measured: what runs, which metric, how many runs, which threshold rule. A baseline row fixes it;
/// thresholds and verdicts are only comparable under the same methodology, so a change of any field starts a new
/// baseline row (and its own A/A calibration) instead of silently reusing the old threshold. The run order seed,
/// timeouts and policies are deliberately left out: they change neither what a run measures nor how it is judged.
/// </summary>
public sealed record Methodology
{
    public required string Domain { get; init; }

    /// <summary>The configured metric: perfloop.json's, else the domain's (which <see cref="MetricChoiceMode"/> may replace by evidence).</summary>
    public required string Metric { get; init; }

    /// <summary>
    /// "configured": <see cref="Metric"/> judges. "evidence": the cpu domain without a metric in perfloop.json, where each
    /// baseline's A/A calibration chooses the judging metric (<see cref="MetricChooser"/>) and records it in its row.
    /// </summary>
    public string MetricChoiceMode { get; init; } = ConfiguredChoice;

    /// <summary>measurement.instructionCounter as it applies ("auto" when the metric is instructions), "" when instructions are not counted.</summary>
    public string InstructionCounter { get; init; } = "";

    /// <summary>"lower" or "higher" is better.</summary>
    public required string Goal { get; init; }

    public required string Bench { get; init; }

    public string Build { get; init; } = "";

    /// <summary>Where values besides the runner's come from: the JSON file and its selection, BenchmarkDotNet's export.</summary>
    public string MetricSources { get; init; } = "";

    public required int WarmupRuns { get; init; }

    public required int MinRuns { get; init; }

    public required int MaxRuns { get; init; }

    public required int CalibrationRuns { get; init; }

    public required double MaxSeconds { get; init; }

    /// <summary>The threshold before calibration: perfloop.json's thresholds.keepPct, else the domain's.</summary>
    public required double DomainThresholdPct { get; init; }

    /// <summary>Multiplier of the A/A noise in max(domain threshold, k × noise).</summary>
    public double NoiseK { get; init; } = NoiseCalibration.DefaultK;

    public const string ConfiguredChoice = "configured";
    public const string EvidenceChoice = "evidence";

    /// <summary>Whether the judging metric is chosen by the calibration's evidence rather than named.</summary>
    public bool ChoosesMetricByEvidence => MetricChoiceMode == EvidenceChoice;

    /// <summary>Whether a row judged on <paramref name="metric"/> was judged under this methodology's metric rule.</summary>
    public bool Judges(string metric) => metric == Metric || (ChoosesMetricByEvidence && MetricNames.TimeProxies.Contains(metric));

    /// <summary>File name of the methodology a baseline row fixed, in that row's experiment directory.</summary>
    public const string FileName = "methodology.json";

    public static Methodology Of(PerfloopConfig config, Domain domain)
    {
        var metric = MetricSelection.Select(config, domain);
        var sources = config.Metrics;
        var selection = sources.Select is { } select
            ? string.Join(",", select.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"))
            : "";
        return new Methodology
        {
            Domain = domain.Name,
            Metric = metric.Name,
            MetricChoiceMode = config.Metric is null && domain.Name == "cpu" ? EvidenceChoice : ConfiguredChoice,
            InstructionCounter = MetricSelection.InstructionCounterSetting(config) ?? "",
            Goal = metric.Direction == MetricDirection.LowerIsBetter ? MetricSelection.Lower : MetricSelection.Higher,
            Bench = config.Bench,
            Build = config.Build ?? "",
            MetricSources = string.Join(";", new[]
            {
                sources.JsonFile is { } json ? $"jsonFile={json}" : null,
                selection.Length > 0 ? $"select={selection}" : null,
                sources.BenchmarkDotNet is { } bdn ? $"benchmarkDotNet={bdn}" : null,
            }.OfType<string>()),
            WarmupRuns = config.Measurement.WarmupRuns,
            MinRuns = config.Measurement.MinRuns,
            MaxRuns = config.Measurement.MaxRuns,
            CalibrationRuns = config.Measurement.CalibrationRuns,
            MaxSeconds = config.Measurement.MaxSeconds,
            DomainThresholdPct = KeepThreshold.Configured(config, domain),
        };
    }

    public MetricDirection Direction => Goal == MetricSelection.Higher ? MetricDirection.HigherIsBetter : MetricDirection.LowerIsBetter;

    /// <summary>The sequential design of an experiment's verdict under this methodology.</summary>
    public SequentialDesign ExperimentDesign => new(MinRuns, MaxRuns);

    /// <summary>The fixed-size design of the A/A calibration run.</summary>
    public SequentialDesign CalibrationDesign => new(CalibrationRuns, CalibrationRuns);

    /// <summary>Twelve hex digits of SHA-256 over every field: short enough for results.tsv, long enough never to collide by chance.</summary>
    public string Fingerprint
    {
        get
        {
            var canonical = string.Join('\n', Fields().Select(f => $"{f.Name}={f.Value}"));
            return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))[..12];
        }
    }

    /// <summary>The fields that differ from <paramref name="earlier"/>, by their perfloop.json names, in a fixed order.</summary>
    public IReadOnlyList<string> ChangesFrom(Methodology earlier) => [.. Differences(earlier).Select(d => d.Name)];

    /// <summary>"bench 'old' → 'new'; measurement.minRuns 6 → 10": what changed, for the status line that starts a new baseline.</summary>
    public string DescribeChangesFrom(Methodology earlier) =>
        string.Join("; ", Differences(earlier).Select(d => $"{d.Name} {Quote(d.Then)} → {Quote(d.Now)}"));

    IEnumerable<(string Name, string Then, string Now)> Differences(Methodology earlier) =>
        Fields().Zip(earlier.Fields()).Where(p => p.First.Value != p.Second.Value).Select(p => (p.First.Name, p.Second.Value, p.First.Value));

    static string Quote(string value) => value.Length == 0 ? "(none)" : value.Contains(' ', StringComparison.Ordinal) ? $"'{value}'" : value;

    IEnumerable<(string Name, string Value)> Fields()
    {
        var c = CultureInfo.InvariantCulture;
        yield return ("domain", Domain);
        yield return ("metric", Metric);
        yield return ("metric.goal", Goal);
        yield return ("metric choice", MetricChoiceMode);
        yield return ("measurement.instructionCounter", InstructionCounter);
        yield return ("bench", Bench);
        yield return ("build", Build);
        yield return ("metrics", MetricSources);
        yield return ("measurement.warmupRuns", WarmupRuns.ToString(c));
        yield return ("measurement.minRuns", MinRuns.ToString(c));
        yield return ("measurement.maxRuns", MaxRuns.ToString(c));
        yield return ("measurement.calibrationRuns", CalibrationRuns.ToString(c));
        yield return ("measurement.maxSeconds", MaxSeconds.ToString("R", c));
        yield return ("thresholds.keepPct", DomainThresholdPct.ToString("R", c));
        yield return ("noise k", NoiseK.ToString("R", c));
    }

    public static string PathFor(string repositoryRoot, int baselineExperiment) =>
        Path.Combine(PerfloopPaths.Baseline(repositoryRoot, baselineExperiment), FileName);

    public void Save(string repositoryRoot, int baselineExperiment)
    {
        var path = PathFor(repositoryRoot, baselineExperiment);
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, JsonFormats.State) + "\n");
    }

    /// <summary>The methodology baseline row <paramref name="baselineExperiment"/> fixed, or null for a row written before Perfloop kept it (or a damaged file).</summary>
    public static Methodology? Load(string repositoryRoot, int baselineExperiment)
    {
        var path = PathFor(repositoryRoot, baselineExperiment);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<Methodology>(File.ReadAllText(path), JsonFormats.State);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
