using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Perfloop.Configuration;
using Perfloop.Domains;
using Perfloop.Errors;
using Perfloop.Git;
using Perfloop.Journal;
using Perfloop.Measurement;
using Perfloop.Oracle;
using Perfloop.Processes;
using Perfloop.Safety;
using Perfloop.Statistics;

namespace Perfloop.Experiments;

/// <summary>
/// A repository set up for the loop, with everything the steps share: configuration, domain, guard, the
/// baseline build of the current commit (in a worktree, built once per commit) and its captured oracle.
/// </summary>
public sealed class Workspace : IAsyncDisposable
{
    readonly Dictionary<string, Worktree> baselineTrees = [];
    int seedOffset;

    Workspace(GitRepository repository, PerfloopConfig config, Domain domain, string? guard, IProcessRunner runner, ILoopReporter reporter, TimeProvider clock)
    {
        Repository = repository;
        Config = config;
        Domain = domain;
        Guard = guard;
        Runner = runner;
        Reporter = reporter;
        Clock = clock;
        Oracles = new OracleRunner(runner, TimeSpan.FromSeconds(config.Timeouts.OracleSeconds));
        Protected = new ProtectedPaths(config.ProtectedPaths, ProtectedPaths.FilesNamedIn(guard, repository.Root));
    }

    public GitRepository Repository { get; }

    public PerfloopConfig Config { get; }

    public Domain Domain { get; }

    public string? Guard { get; }

    public IProcessRunner Runner { get; }

    public ILoopReporter Reporter { get; }

    public TimeProvider Clock { get; }

    public OracleRunner Oracles { get; }

    public ProtectedPaths Protected { get; }

    public string Root => Repository.Root;

    public string ResultsPath => PerfloopPaths.Results(Root);

    /// <summary>The primary metric: the domain's, or the one perfloop.json names, with its sources (METRIC lines, a JSON file, BenchmarkDotNet's export).</summary>
    public SelectedMetric SelectedMetric => Measurement.MetricSelection.Select(Config, Domain);

    public string Metric => SelectedMetric.Name;

    public string Unit => SelectedMetric.Unit;

    public MetricDirection Direction => SelectedMetric.Direction;

    public double ConfiguredThresholdPct => Config.Thresholds.KeepPct ?? Domain.KeepThresholdPct;

    public static async Task<Workspace> OpenAsync(IProcessRunner runner, ILoopReporter reporter, TimeProvider clock, string directory, CancellationToken cancellationToken)
    {
        var repository = await GitRepository.OpenAsync(runner, directory, cancellationToken);
        var config = ConfigStore.Load(repository.Root);
        var domain = Domains.Domains.Find(config.Domain)!;
        // Perfloop's state must never show up as the user's change, even in a repository set up by hand.
        await repository.ExcludeAsync(PerfloopPaths.StateDirectoryName + "/", cancellationToken);
        return new Workspace(repository, config, domain, Conventions.LoadGuard(repository.Root), runner, reporter, clock);
    }

    public IReadOnlyList<ResultRow> Rows() => ResultsTable.Read(ResultsPath);

    public int NextExperimentNumber()
    {
        var rows = Rows();
        return rows.Count == 0 ? 0 : rows.Max(r => r.Experiment) + 1;
    }

    /// <summary>How verdicts are measured under the current perfloop.json.</summary>
    public Methodology Methodology => Methodology.Of(Config, Domain);

    /// <summary>
    /// The effective threshold fixed by the latest baseline row, or null when no baseline was measured yet or the
    /// methodology changed since (a threshold calibrated for another benchmark or design would judge nothing).
    /// </summary>
    public double? CalibratedThresholdPct()
    {
        var rows = Rows();
        var baseline = rows.LastOrDefault(r => r.Status == ExperimentStatus.Baseline);
        return baseline is null || MethodologyChange(baseline) is not null ? null : baseline.ThresholdPct;
    }

    /// <summary>"baseline 3: bench 'a' → 'b'" when perfloop.json now measures differently from the latest baseline row; else null.</summary>
    public string? MethodologyChangeSinceBaseline() =>
        Rows().LastOrDefault(r => r.Status == ExperimentStatus.Baseline) is { } baseline ? MethodologyChange(baseline) : null;

    string? MethodologyChange(ResultRow baseline)
    {
        var fixedThen = Methodology.Load(Root, baseline.Experiment);
        string changes;
        if (fixedThen is null)
        {
            // A row from before methodologies were kept: the metric is all it records.
            changes = baseline.Metric == Metric ? "" : $"metric {baseline.Metric} → {Metric}";
        }
        else
        {
            changes = Methodology.DescribeChangesFrom(fixedThen);
        }

        return changes.Length == 0 ? null : string.Create(CultureInfo.InvariantCulture, $"baseline {baseline.Experiment}: {changes}");
    }

    /// <summary>Refuses to start on uncommitted work: nothing of the user's may be touched by a restore.</summary>
    public async Task EnsureCleanAsync(CancellationToken cancellationToken)
    {
        await Repository.EnsureNoOperationInProgressAsync(cancellationToken);
        var dirty = await Repository.ChangedPathsAsync(cancellationToken);
        if (dirty.Contains(PerfloopConfig.FileName))
        {
            throw new PerfloopException(
                $"{PerfloopConfig.FileName} has uncommitted changes; commit it first (git add {PerfloopConfig.FileName} && git commit -m \"perfloop config\") so experiments are measured with a recorded setup");
        }

        if (dirty.Count > 0)
        {
            throw new PerfloopException(
                $"the work tree has uncommitted changes ({dirty[0]}{(dirty.Count > 1 ? $" and {dirty.Count - 1} more" : "")}); commit or stash them first, or pass --allow-dirty to have perfloop set them aside and give them back, so no work of yours can be lost");
        }
    }

    /// <summary>The baseline build of <paramref name="commit"/> in its own worktree; built once per commit and process.</summary>
    public async Task<Worktree> BaselineTreeAsync(string commit, CancellationToken cancellationToken)
    {
        if (baselineTrees.TryGetValue(commit, out var existing))
        {
            return existing;
        }

        // Only one baseline is needed at a time; an older commit's tree is dead weight.
        foreach (var old in baselineTrees.Values)
        {
            await old.DisposeAsync();
        }

        baselineTrees.Clear();
        Reporter.Detail($"[baseline] building {Abbreviate(commit)} in a worktree");
        var tree = await Repository.AddWorktreeAsync(commit, cancellationToken);
        baselineTrees[commit] = tree;
        var logDirectory = PerfloopPaths.Oracles(Root, commit);
        Directory.CreateDirectory(logDirectory);
        if (await BuildAsync(tree.Directory, Path.Combine(logDirectory, "baseline-build.log"), cancellationToken) is { } failure)
        {
            throw new PerfloopException($"the unchanged code at {Abbreviate(commit)} does not build: {failure}; fix the build command in {PerfloopConfig.FileName}", ExitCodes.Failure);
        }

        return tree;
    }

    /// <summary>
    /// The oracle's output on the unchanged code at <paramref name="commit"/> (the work tree must be clean at it):
    /// captured once per commit and oracle set, and kept on disk so separate step commands share it.
    /// </summary>
    public async Task<IReadOnlyList<OracleOutput>> OracleAsync(string commit, CancellationToken cancellationToken)
    {
        var directory = PerfloopPaths.Oracles(Root, commit);
        var cache = Path.Combine(directory, $"capture-{OracleKey()}.json");
        if (File.Exists(cache) && ExperimentJournal.Deserialize<List<OracleOutput>>(await File.ReadAllTextAsync(cache, cancellationToken)) is { } cached)
        {
            return cached;
        }

        Directory.CreateDirectory(directory);
        if (await BuildAsync(Root, Path.Combine(directory, "worktree-build.log"), cancellationToken) is { } failure)
        {
            throw new PerfloopException($"the work tree at {Abbreviate(commit)} does not build: {failure}; fix the build command in {PerfloopConfig.FileName}", ExitCodes.Failure);
        }

        IReadOnlyList<OracleOutput> outputs = [];
        if (Config.Oracles.Count > 0)
        {
            Reporter.Detail($"[baseline] capturing the output of {Config.Oracles.Count} oracle command(s) on the unchanged code");
            outputs = await Oracles.CaptureAsync(Config.Oracles, Root, directory, cancellationToken);
            // An oracle may write files; the candidate must start from an exact HEAD.
            await Repository.RestoreAsync(cancellationToken);
        }

        await AtomicFile.WriteAllTextAsync(cache, ExperimentJournal.Serialize(outputs), cancellationToken);
        return outputs;
    }

    string OracleKey()
    {
        var text = string.Join("\n", Config.Oracles.Select(o => o.Command + "\t" + string.Join("\t", o.Files)));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12];
    }

    /// <summary>Runs the build in <paramref name="directory"/>; null when it succeeded (or there is none), else what failed.</summary>
    public async Task<string?> BuildAsync(string directory, string logPath, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(Config.Build))
        {
            return null;
        }

        var failure = await RunLoggedAsync(Config.Build, directory, Config.Timeouts.BuildSeconds, logPath, cancellationToken);
        return failure is null ? null : failure.Value.TimedOut
            ? $"timed out after {Config.Timeouts.BuildSeconds:0}s"
            : $"exit code {failure.Value.ExitCode}: {failure.Value.Line}";
    }

    /// <summary>Runs the guard in the work tree; null when it passed, else what failed.</summary>
    public async Task<string?> RunGuardAsync(string logPath, CancellationToken cancellationToken)
    {
        var failure = await RunLoggedAsync(Guard!, Root, Config.Timeouts.GuardSeconds, logPath, cancellationToken);
        return failure is null ? null : failure.Value.TimedOut
            ? $"'{Guard}' timed out after {Config.Timeouts.GuardSeconds:0}s"
            : $"'{Guard}' exited with {failure.Value.ExitCode}: {failure.Value.Line}";
    }

    /// <summary>Runs a user's shell command with its timeout, keeps its (redacted) output in <paramref name="logPath"/>, and says how it failed.</summary>
    async Task<(bool TimedOut, int ExitCode, string Line)?> RunLoggedAsync(string command, string directory, double timeoutSeconds, string logPath, CancellationToken cancellationToken)
    {
        var spec = CommandSpec.Shell(command, directory) with { Timeout = TimeSpan.FromSeconds(timeoutSeconds) };
        var result = await Runner.RunAsync(spec, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        await File.WriteAllTextAsync(logPath, SecretRedactor.Current.Redact(result.StdoutText + result.StderrText), cancellationToken);
        return result.Succeeded ? null : (result.TimedOut, result.ExitCode, FailureLine(result));
    }

    /// <summary>Baseline worktree against the work tree, interleaved; the raw samples go to the experiment's folder.</summary>
    public async Task<Comparison> MeasureAsync(int experiment, string baselineDirectory, double thresholdPct, SequentialDesign design, CancellationToken cancellationToken)
    {
        var m = Config.Measurement;
        var plan = new MeasurementPlan(
            m.WarmupRuns,
            design,
            TimeSpan.FromSeconds(m.MaxSeconds),
            TimeSpan.FromSeconds(Config.Timeouts.BenchSeconds),
            m.Seed + (experiment * 7919) + seedOffset++);
        var benchmark = new InterleavedBenchmark(Runner, Config.Bench, SelectedMetric);
        var comparison = await benchmark.RunAsync(baselineDirectory, Root, plan, thresholdPct, new LookReporter(Reporter, experiment), cancellationToken);
        var directory = PerfloopPaths.Experiment(Root, experiment);
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "samples.tsv"), SampleTable.Format(comparison.Samples), cancellationToken);
        return comparison;
    }

    /// <summary>A verdict that needs more pairs says so at each look, so a long measurement is never silent.</summary>
    sealed class LookReporter(ILoopReporter reporter, int experiment) : IMeasurementProgress
    {
        public void PairMeasured(int pairs, int maxPairs)
        {
        }

        public void LookWithoutVerdict(SequentialStep look) =>
            reporter.Detail($"{StatusLines.Prefix(experiment)} {look.Why}; measuring more pairs");
    }

    /// <summary>
    /// Measures the unchanged code against itself (A/A): the spread of that run is this machine's noise for this
    /// benchmark, and the effective threshold becomes max(domain threshold, k × noise). Recorded as a baseline row.
    /// </summary>
    public async Task<ResultRow> CalibrateAsync(CancellationToken cancellationToken)
    {
        await EnsureCleanAsync(cancellationToken);
        await PreflightAsync(cancellationToken);
        var head = await Repository.HeadAsync(cancellationToken);
        var number = NextExperimentNumber();
        Reporter.Status($"[baseline] {Abbreviate(head)} on {await Repository.BranchAsync(cancellationToken) ?? "detached HEAD"}, domain {Domain.Name}, metric {Metric}");
        var tree = await BaselineTreeAsync(head, cancellationToken);
        await OracleAsync(head, cancellationToken);

        if (MethodologyChangeSinceBaseline() is { } change)
        {
            Reporter.Status($"[baseline] the measurement methodology changed since {change}: a new baseline row with its own calibration");
        }

        Reporter.Status("[baseline] Calibrating noise (the baseline against itself)...");
        var methodology = Methodology;
        var comparison = await MeasureAsync(number, tree.Directory, ConfiguredThresholdPct, methodology.CalibrationDesign, cancellationToken);
        if (comparison.Failure is { } failure)
        {
            throw new PerfloopException($"the benchmark fails on the unchanged code ({failure.Message}); fix the bench command in {PerfloopConfig.FileName}", ExitCodes.Failure);
        }

        var a1 = comparison.Values(Side.Baseline, Metric);
        var a2 = comparison.Values(Side.Candidate, Metric);
        var noise = NoiseCalibration.Calibrate(a1, a2, ConfiguredThresholdPct);
        var thresholdText = string.Create(CultureInfo.InvariantCulture,
            $"{noise.EffectiveThresholdPct:0.##}% (domain {ConfiguredThresholdPct:0.##}%, A/A noise {noise.NoisePct:0.##}% per run pair over {noise.Pairs} pairs, k = {noise.K:0.##})");
        var baseline = Median(a1);
        Reporter.Status($"[baseline] {Metric} {StatusLines.Measure(baseline, Unit)}; effective keep threshold {thresholdText}");
        await AtomicFile.WriteAllTextAsync(Conventions.PathIn(Root), Conventions.Render(Guard, Domain.Name, thresholdText), cancellationToken);

        var estimate = comparison.Result!.Estimate;
        var row = new ResultRow
        {
            Experiment = number,
            Timestamp = Clock.GetUtcNow(),
            Domain = Domain.Name,
            Target = "baseline",
            Summary = "unchanged code measured against itself (A/A)",
            Metric = Metric,
            Baseline = baseline,
            Candidate = Median(a2),
            DeltaPct = estimate.DeltaPct,
            CiLowPct = estimate.IsBounded ? estimate.LowPct : null,
            CiHighPct = estimate.IsBounded ? estimate.HighPct : null,
            Runs = comparison.Pairs,
            ThresholdPct = noise.EffectiveThresholdPct,
            Status = ExperimentStatus.Baseline,
            Commit = head,
            Reason = $"noise calibration; effective threshold {thresholdText}",
            Extra = new Dictionary<string, string> { [ResultsTable.MethodologyColumn] = methodology.Fingerprint },
        };
        // The methodology first: a row whose methodology is missing would be taken for an old row and trusted.
        methodology.Save(Root, number);
        ResultsTable.Append(ResultsPath, row);
        return row;
    }

    /// <summary>
    /// Refuses a configured command whose program does not exist (a typo, a tool not installed) before anything is
    /// measured: a usage error with one line, rather than a failing baseline or every candidate discarded.
    /// </summary>
    public async Task PreflightAsync(CancellationToken cancellationToken)
    {
        var commands = new List<(string Command, string Where)> { (Config.Bench, $"{PerfloopConfig.FileName}: $.bench") };
        if (!string.IsNullOrWhiteSpace(Config.Build))
        {
            commands.Add((Config.Build, $"{PerfloopConfig.FileName}: $.build"));
        }

        if (Guard is not null)
        {
            commands.Add((Guard, $"the ## Guard block of {Path.GetRelativePath(Root, Conventions.PathIn(Root))}"));
        }

        foreach (var (command, where) in commands)
        {
            if (ProgramOf(command) is not { } program)
            {
                continue;
            }

            var probe = new CommandSpec("/bin/sh", ["-c", "command -v \"$1\"", "sh", program], Root) { Timeout = TimeSpan.FromSeconds(30) };
            var result = await Runner.RunAsync(probe, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            if (!result.Succeeded)
            {
                throw new PerfloopException($"{where}: command '{program}' not found (from '{command}'); install it or fix the command");
            }
        }
    }

    /// <summary>The program a simple shell command line starts, or null when the line is too clever to tell (subshells, variables).</summary>
    internal static string? ProgramOf(string commandLine)
    {
        foreach (var word in commandLine.Trim().Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (word.Contains('=', StringComparison.Ordinal) && !word.StartsWith('='))
            {
                continue;
            }

            return word.IndexOfAny(['$', '(', ')', '`', '{', '}', '"', '\'', '\\', ';', '&', '|', '<', '>', '*', '?']) >= 0 ? null : word;
        }

        return null;
    }

    /// <summary>The line that most likely says what went wrong: an error line if there is one, else the last line.</summary>
    static string FailureLine(ProcessResult result)
    {
        var lines = (result.StdoutText + "\n" + result.StderrText).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        var error = lines.FirstOrDefault(l => l.Contains("error", StringComparison.OrdinalIgnoreCase) || l.Contains("fail", StringComparison.OrdinalIgnoreCase));
        var line = SecretRedactor.Current.Redact(error ?? (lines.Count > 0 ? lines[^1] : "(no output)"));
        return line.Length <= 200 ? line : line[..197] + "...";
    }

    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToList();
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    public static string Abbreviate(string commit) => commit[..Math.Min(12, commit.Length)];

    public async ValueTask DisposeAsync()
    {
        foreach (var tree in baselineTrees.Values)
        {
            await tree.DisposeAsync();
        }

        baselineTrees.Clear();
    }
}
