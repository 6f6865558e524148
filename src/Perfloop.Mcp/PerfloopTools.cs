using System.ComponentModel;
using ModelContextProtocol;
using ModelContextProtocol.Server;
using Perfloop.Errors;
using Perfloop.Experiments;
using Perfloop.Implementers;

namespace Perfloop.Mcp;

/// <summary>
/// The loop's steps as MCP tools, over the same <see cref="ExperimentController"/> as the CLI step verbs. Each tool
/// returns the JSON the matching verb prints with <c>--json</c> (schemas perfloop.step/v1 and perfloop.status/v1).
/// </summary>
[McpServerToolType]
public sealed class PerfloopTools(ExperimentController controller) : IDisposable
{
    // One step at a time: each takes the repository lock, and an agent calling two at once would get a lock error.
    readonly SemaphoreSlim gate = new(1, 1);

    [McpServerTool(Name = "experiment_start", Destructive = false)]
    [Description("Open the next experiment: prints its Target line and captures the program's original output (the oracle) on the unchanged code. The first call of a session also calibrates the machine's noise. Afterwards, edit the code in the work tree, then call experiment_check. Returns a perfloop.step/v1 JSON report.")]
    public Task<string> ExperimentStartAsync(
        [Description("What is being optimized, e.g. 'WordCounter.Count' or a file and function name")] string target,
        [Description("Kind of bottleneck, e.g. algorithm, allocation, io")] string category = "",
        [Description("Estimated impact, e.g. '~40% of runtime'")] string impact = "",
        [Description("Strategy from the domain's rotation, e.g. algorithm, data-structure, caching")] string strategy = "",
        [Description("One-line summary of the planned change (can be given later to experiment_check)")] string summary = "",
        CancellationToken cancellationToken = default) =>
        CallAsync(() => controller.StartAsync(new CandidateInfo(summary, target, category, strategy, impact), cancellationToken), cancellationToken);

    [McpServerTool(Name = "experiment_check", Destructive = false)]
    [Description("Verify the change in the work tree before benchmarking: it must change something, stay out of protected paths (tests, guard files, perfloop.json), build, and produce exactly the original output. A 'problem' in the report means the candidate will be discarded; call experiment_decide. Returns a perfloop.step/v1 JSON report.")]
    public Task<string> ExperimentCheckAsync(
        [Description("One-line summary of the change you made; it becomes the commit subject on KEEP")] string summary = "",
        CancellationToken cancellationToken = default) =>
        CallAsync(() => controller.CheckAsync(summary, cancellationToken), cancellationToken);

    [McpServerTool(Name = "experiment_bench", Destructive = false)]
    [Description("Benchmark the unchanged code against the change, interleaved, until the confidence interval decides (improved, regressed, or no change) or the budget ends. Takes seconds to minutes. Returns a perfloop.step/v1 JSON report with the measurement.")]
    public Task<string> ExperimentBenchAsync(CancellationToken cancellationToken = default) =>
        CallAsync(() => controller.BenchAsync(cancellationToken), cancellationToken);

    [McpServerTool(Name = "experiment_guard", Destructive = false)]
    [Description("Run the guard (the test suite named in .perfloop/conventions.md) after the benchmark; skipped when the benchmark already decided against the change. Returns a perfloop.step/v1 JSON report.")]
    public Task<string> ExperimentGuardAsync(CancellationToken cancellationToken = default) =>
        CallAsync(() => controller.GuardAsync(cancellationToken), cancellationToken);

    [McpServerTool(Name = "experiment_decide")]
    [Description("Apply the decision tree: KEEP commits the change, DISCARD restores the work tree exactly and records why; after a guard failure with reworks left the decision is 'rework': the tree is restored and you may fix the change and call experiment_check again. Records the row in .perfloop/results.tsv. Returns a perfloop.step/v1 JSON report with decision, reason and commit.")]
    public Task<string> ExperimentDecideAsync(
        [Description("How many guard failures the change may be reworked after (the spec allows 2)")] int maxReworks = 2,
        CancellationToken cancellationToken = default) =>
        CallAsync(() => controller.DecideAsync(maxReworks, cancellationToken), cancellationToken);

    [McpServerTool(Name = "experiment_abandon")]
    [Description("Drop the experiment in progress: keep its diff in .perfloop/experiments/N/candidate.diff, restore the work tree, record a crash row. Returns a perfloop.step/v1 JSON report.")]
    public Task<string> ExperimentAbandonAsync(CancellationToken cancellationToken = default) =>
        CallAsync(() => controller.AbandonAsync(cancellationToken), cancellationToken);

    [McpServerTool(Name = "status", ReadOnly = true, Idempotent = true)]
    [Description("Where the session stands: next experiment number, the experiment in progress, counts of kept/discarded/crashed, strategy rotation, plateau and stuck state, recent rows, and what the spec says to do next. Returns a perfloop.status/v1 JSON report.")]
    public Task<string> StatusAsync(CancellationToken cancellationToken = default) =>
        CallAsync(() => controller.StatusAsync(cancellationToken), cancellationToken);

    public void Dispose() => gate.Dispose();

    async Task<string> CallAsync<T>(Func<Task<T>> step, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            return ReportJson.Serialize(await step());
        }
        catch (PerfloopException e)
        {
            // The SDK shows an McpException's message to the client; any other exception becomes a generic error.
            throw new McpException(e.Message, e);
        }
        finally
        {
            gate.Release();
        }
    }
}
