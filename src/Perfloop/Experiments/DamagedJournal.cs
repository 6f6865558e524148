using System.Globalization;
using System.Text.RegularExpressions;
using Perfloop.Configuration;
using Perfloop.Journal;

namespace Perfloop.Experiments;

/// <summary>
/// <c>experiment abandon</c> on a journal that cannot be read: the tree goes back to HEAD (whatever the candidate
/// changed is kept as a diff first), the damaged file is kept beside as evidence, and when its experiment number can
/// still be read, the experiment gets its row — a crash row, or a keep row when HEAD is already its KEEP commit.
/// </summary>
public static partial class DamagedJournal
{
    /// <summary>What the recovery did, for the step report.</summary>
    public sealed record Recovery(int? Experiment, ResultRow? Row, string EvidencePath, string Message);

    /// <summary>Recovers from a damaged journal; null when the journal is absent or readable (the normal path applies).</summary>
    public static async Task<Recovery?> RecoverAsync(ExperimentContext context, CancellationToken cancellationToken)
    {
        if (ExperimentJournal.TryLoad(context.Root) is not { Damage: { } damage })
        {
            return null;
        }

        var path = ExperimentJournal.PathIn(context.Root);
        var text = await File.ReadAllTextAsync(path, cancellationToken);
        int? n = ExperimentNumber().Match(text) is { Success: true } m && int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : null;

        // The candidate's changes are evidence too: kept as a diff before the tree goes back to HEAD.
        var directory = n is { } known ? PerfloopPaths.Experiment(context.Root, known) : PerfloopPaths.StateDirectory(context.Root);
        Directory.CreateDirectory(directory);
        var stamp = context.Services.Clock.GetUtcNow().ToString("yyyyMMddTHHmmss", CultureInfo.InvariantCulture);
        var paths = await context.Repository.ChangedPathsAsync(cancellationToken);
        if (paths.Count > 0)
        {
            var diff = await context.Repository.DiffAgainstHeadAsync(paths, cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(directory, n is null ? $"abandoned-{stamp}.diff" : "candidate.diff"), diff, cancellationToken);
        }

        await context.Repository.RestoreAsync(CancellationToken.None);
        var evidence = $"{path}.damaged-{stamp}";
        File.Move(path, evidence, overwrite: true);

        ResultRow? row = null;
        if (n is { } experiment && !context.Ledger.Rows.Any(r => r.Experiment == experiment && r.IsExperiment))
        {
            row = context.Ledger.Append(await RowAsync(context, experiment, cancellationToken));
        }

        var what = n is { } e ? string.Create(CultureInfo.InvariantCulture, $"experiment {e}") : "the experiment (its number is unreadable)";
        return new Recovery(n, row, evidence,
            $"the journal of {what} was damaged ({damage.Split(" (", 2).ElementAtOrDefault(1)?.Split(')')[0] ?? "unreadable"}); the tree is back at HEAD, the damaged file is kept as {Path.GetRelativePath(context.Root, evidence)}");
    }

    static async Task<ResultRow> RowAsync(ExperimentContext context, int experiment, CancellationToken cancellationToken)
    {
        var head = await context.Repository.HeadAsync(cancellationToken);
        var message = await context.Repository.MessageAsync(head, cancellationToken);
        var kept = message.Contains($"Perfloop-Experiment: {experiment.ToString(CultureInfo.InvariantCulture)}\n", StringComparison.Ordinal);
        return new ResultRow
        {
            Experiment = experiment,
            Timestamp = context.Services.Clock.GetUtcNow(),
            Domain = context.Setup.Domain.Name,
            Summary = kept ? message.Split('\n')[0] : "",
            Metric = context.JudgingMetric().Name,
            Status = kept ? ExperimentStatus.Keep : ExperimentStatus.Crash,
            Commit = head,
            Reason = kept ? "kept; the journal was damaged before the row was recorded" : "abandoned: the experiment journal was damaged",
        };
    }

    [GeneratedRegex(@"""experiment""\s*:\s*(\d{1,9})", RegexOptions.CultureInvariant)]
    private static partial Regex ExperimentNumber();
}
