using System.Globalization;
using Perfloop.Configuration;
using Perfloop.Experiments;
using Perfloop.Journal;
using Perfloop.Policies;

namespace Perfloop.Sessions;

/// <summary>
/// Measured cross-domain signals right after the baseline is calibrated (by <c>run</c> and by the step verbs alike):
/// each new finding is an <c>escalate</c> row, a line to the user, and at session end a HANDOFF entry. Never a switch.
/// </summary>
public static class EscalationStep
{
    public static async Task<IReadOnlyList<ResultRow>> RunAsync(ExperimentContext context, ResultRow baseline, RankingSnapshot ranking, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(ranking);
        var setup = context.Setup;
        var probe = new SignalProbe(context.Services.Runner, setup.Config);
        var samples = Path.Combine(PerfloopPaths.Baseline(context.Root, baseline.Experiment), "samples.tsv");
        var signals = await probe.MeasureAsync(context.Root, samples, ranking.Runtime, cancellationToken);
        if (signals.Scaling is { } fit)
        {
            context.Reporter.Detail($"[session] scaling: time ∝ n^{fit.Exponent.ToString("0.##", CultureInfo.InvariantCulture)} over sizes {string.Join(", ", fit.Sizes)}");
        }

        foreach (var note in Escalation.Unmeasured(setup.Domain.Name, signals))
        {
            context.Reporter.Detail($"{StatusLines.Prefix(baseline.Experiment)} {note}");
        }

        var findings = Escalation.New(Escalation.Evaluate(setup.Domain.Name, signals, setup.Config.Escalation), context.Ledger.CurrentSession);
        var rows = new List<ResultRow>();
        foreach (var finding in findings)
        {
            var row = context.Ledger.Append(finding.ToRow(baseline.Experiment, context.Services.Clock.GetUtcNow(), setup.Domain.Name, context.JudgingMetric().Name));
            context.Reporter.Status($"{StatusLines.Prefix(baseline.Experiment)} ESCALATE — {finding.Reason}");
            context.Reporter.Status($"[session] {finding.Message(setup.Domain.Name)}");
            rows.Add(row);
        }

        return rows;
    }
}
