using System.Globalization;
using Perfloop.Compare;
using Perfloop.Configuration;
using Perfloop.Git;
using Perfloop.Statistics;

namespace Perfloop.Implementers.Knobs;

/// <summary>What re-measuring one set knob found: the knob, its value, and what putting it back to the default would do.</summary>
public sealed record KnobAuditEntry(string Knob, string Value, string DefaultValue, CompareVerdict Verdict, RatioEstimate? Estimate, double ThresholdPct, string Finding);

/// <summary>
/// The config audit for runtime knobs: every catalogue knob the benchmarked project sets away from its default is
/// re-measured — HEAD against HEAD with only that knob back at its default, end to end in temporary worktrees — so a
/// knob kept earlier whose effect later changes made pointless (or harmful) is flagged. It changes nothing: reverting
/// a flagged knob is a separate candidate, judged by the loop like any other.
/// </summary>
public static class KnobAudit
{
    public static async Task<IReadOnlyList<KnobAuditEntry>> RunAsync(GitRepository repository, PerfloopConfig config, ICompareProgress? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(config);
        var head = await repository.HeadAsync(cancellationToken);
        var projectFile = ProjectLocator.Find(repository.Root, config.Build);
        var relative = Path.GetRelativePath(repository.Root, projectFile);
        var text = await File.ReadAllTextAsync(projectFile, cancellationToken);
        var set = SetKnobs(text);
        var entries = new List<KnobAuditEntry>();
        foreach (var (knob, value) in set)
        {
            progress?.Stage($"auditing {knob.Name}={value}: HEAD against HEAD with {knob.Name}={knob.DefaultValue}");
            string withoutKnob;
            await using (var tree = await repository.AddWorktreeAsync(head, cancellationToken))
            {
                var path = Path.Combine(tree.Directory, relative);
                await File.WriteAllTextAsync(path, ProjectFileEditor.Set(await File.ReadAllTextAsync(path, cancellationToken), knob, knob.DefaultValue), cancellationToken);
                var treeRepository = await GitRepository.OpenAsync(repository.Runner, tree.Directory, cancellationToken);
                // An unreferenced commit: the comparison needs a revision; no branch moves and git gc collects it.
                withoutKnob = await treeRepository.CommitAsync([relative], $"perfloop knobs audit: {knob.Name} back to {knob.DefaultValue}", cancellationToken);
            }

            var report = await EndToEndComparer.CompareAsync(repository, config, withoutKnob, head, null, progress, cancellationToken);
            var comparison = report.Benchmarks[0];
            entries.Add(new KnobAuditEntry(knob.Name, value, knob.DefaultValue, comparison.Verdict, comparison.Estimate, report.ThresholdPct, Finding(comparison.Verdict, comparison.Estimate, report.ThresholdPct)));
        }

        return entries;
    }

    /// <summary>The catalogue knobs (ReadyToRun included) a project file sets away from the runtime default.</summary>
    public static IReadOnlyList<(RuntimeKnob Knob, string Value)> SetKnobs(string projectText) =>
        RuntimeKnob.Catalogue.Append(KnobCatalogue.ReadyToRun)
            .Select(k => (Knob: k, Value: ProjectFileEditor.Read(projectText, k)))
            .Where(k => k.Value is not null && !string.Equals(k.Value, k.Knob.DefaultValue, StringComparison.OrdinalIgnoreCase))
            .Select(k => (k.Knob, k.Value!))
            .ToList();

    /// <summary>What a verdict of "with the knob" against "without it" means for the knob; pure, for tests.</summary>
    public static string Finding(CompareVerdict verdict, RatioEstimate? estimate, double thresholdPct)
    {
        var effect = estimate is null ? "" : string.Create(CultureInfo.InvariantCulture, $" ({estimate.DeltaPct:+0.0;-0.0}% [{estimate.LowPct:+0.0;-0.0}%, {estimate.HighPct:+0.0;-0.0}%])");
        var threshold = string.Create(CultureInfo.InvariantCulture, $"±{thresholdPct:0.#}%");
        return verdict switch
        {
            CompareVerdict.Better => $"still pays{effect}: keep it",
            CompareVerdict.Same => $"pointless now{effect}: its effect is within {threshold}; reverting it is a candidate",
            CompareVerdict.Worse => $"harmful now{effect}: the program is slower with it; reverting it is a candidate",
            CompareVerdict.Inconclusive => $"unclear{effect}: neither beyond nor within {threshold}; re-run with a larger budget",
            _ => "not measured: a run failed",
        };
    }
}
