using System.Globalization;
using Perfloop.Configuration;
using Perfloop.Experiments;
using Perfloop.Journal;

namespace Perfloop.Policies;

/// <summary>
/// Measured cross-domain signals right after the baseline is calibrated (by <c>run</c> and by the step verbs alike):
/// each new finding is an <c>escalate</c> row, a line to the user, and at session end a HANDOFF entry. Never a switch.
/// </summary>
public static class EscalationCheck
{
    public static async Task<IReadOnlyList<ResultRow>> RunAsync(Workspace workspace, ResultRow baseline, RankingSnapshot ranking, CancellationToken cancellationToken)
    {
        var probe = new SignalProbe(workspace.Runner, workspace.Config);
        var samples = Path.Combine(PerfloopPaths.Experiment(workspace.Root, baseline.Experiment), "samples.tsv");
        var signals = await probe.MeasureAsync(workspace.Root, samples, ranking.Runtime, cancellationToken);
        if (signals.Scaling is { } fit)
        {
            workspace.Reporter.Detail($"[session] scaling: time ∝ n^{fit.Exponent.ToString("0.##", CultureInfo.InvariantCulture)} over sizes {string.Join(", ", fit.Sizes)}");
        }

        foreach (var note in Escalation.Unmeasured(workspace.Domain.Name, signals))
        {
            workspace.Reporter.Detail($"{StatusLines.Prefix(baseline.Experiment)} {note}");
        }

        var findings = Escalation.New(Escalation.Evaluate(workspace.Domain.Name, signals, workspace.Config.Escalation), SessionPolicy.CurrentSession(workspace.Rows()));
        var rows = new List<ResultRow>();
        foreach (var finding in findings)
        {
            var row = finding.ToRow(baseline.Experiment, workspace.Clock.GetUtcNow(), workspace.Domain.Name, workspace.Metric);
            ResultsTable.Append(workspace.ResultsPath, row);
            workspace.Reporter.Status($"{StatusLines.Prefix(baseline.Experiment)} ESCALATE — {finding.Reason}");
            workspace.Reporter.Status($"[session] {finding.Message(workspace.Domain.Name)}");
            rows.Add(row);
        }

        return rows;
    }
}
