using System.ComponentModel;
using ModelContextProtocol;
using ModelContextProtocol.Server;
using Perfloop.Compare;
using Perfloop.Errors;
using Perfloop.Experiments;
using Perfloop.Implementers;
using Perfloop.Ranking;
using Perfloop.UseCases;

namespace Perfloop.Mcp;

/// <summary>
/// The loop's steps as MCP tools, over the same use cases as the CLI's verbs (<see cref="ExperimentSteps"/>,
/// <see cref="CompareRefs"/>, <see cref="Tools"/>). Each tool returns the JSON the matching verb prints with
/// <c>--json</c> (schemas perfloop.step/v1, perfloop.status/v1, perfloop.bottlenecks/v1 and perfloop.compare/v1), with
/// next steps and messages in MCP words.
/// </summary>
[McpServerToolType]
public sealed class PerfloopTools(EngineServices services, string directory) : IDisposable
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
        CallAsync(async () => McpReport(await ExperimentSteps.StartAsync(services, new StartExperimentOptions(directory, new CandidateInfo(summary, target, category, strategy, impact)), cancellationToken)), cancellationToken);

    [McpServerTool(Name = "experiment_check", Destructive = false)]
    [Description("Verify the change in the work tree before benchmarking: it must change something, stay out of protected paths (tests, guard files, perfloop.json), build, and produce exactly the original output. A 'problem' in the report means the candidate will be discarded; call experiment_decide. Returns a perfloop.step/v1 JSON report.")]
    public Task<string> ExperimentCheckAsync(
        [Description("One-line summary of the change you made; it becomes the commit subject on KEEP")] string summary = "",
        CancellationToken cancellationToken = default) =>
        CallAsync(async () => McpReport(await ExperimentSteps.CheckAsync(services, new CheckExperimentOptions(directory, summary), cancellationToken)), cancellationToken);

    [McpServerTool(Name = "experiment_bench", Destructive = false)]
    [Description("Benchmark the unchanged code against the change, interleaved, until the confidence interval decides (improved, regressed, or no change) or the budget ends. Takes seconds to minutes. Returns a perfloop.step/v1 JSON report with the measurement.")]
    public Task<string> ExperimentBenchAsync(CancellationToken cancellationToken = default) =>
        CallAsync(async () => McpReport(await ExperimentSteps.BenchAsync(services, new RepositoryOptions(directory), cancellationToken)), cancellationToken);

    [McpServerTool(Name = "experiment_guard", Destructive = false)]
    [Description("Run the guard (the test suite named in .perfloop/conventions.md) after the benchmark; skipped when the benchmark already decided against the change. Returns a perfloop.step/v1 JSON report.")]
    public Task<string> ExperimentGuardAsync(CancellationToken cancellationToken = default) =>
        CallAsync(async () => McpReport(await ExperimentSteps.GuardAsync(services, new RepositoryOptions(directory), cancellationToken)), cancellationToken);

    [McpServerTool(Name = "experiment_decide")]
    [Description("Apply the decision tree: KEEP commits the change, DISCARD restores the work tree exactly and records why; after a guard failure with reworks left the decision is 'rework': the tree is restored and you may fix the change and call experiment_check again. Records the row in .perfloop/results.tsv. Returns a perfloop.step/v1 JSON report with decision, reason and commit.")]
    public Task<string> ExperimentDecideAsync(
        [Description("How many guard failures the change may be reworked after (the spec allows 2)")] int maxReworks = 2,
        CancellationToken cancellationToken = default) =>
        CallAsync(async () => McpReport(await ExperimentSteps.DecideAsync(services, new DecideExperimentOptions(directory, maxReworks), cancellationToken)), cancellationToken);

    [McpServerTool(Name = "experiment_abandon")]
    [Description("Drop the experiment in progress: keep its diff in .perfloop/experiments/N/candidate.diff, restore the work tree, record a crash row. Returns a perfloop.step/v1 JSON report.")]
    public Task<string> ExperimentAbandonAsync(CancellationToken cancellationToken = default) =>
        CallAsync(async () => McpReport(await ExperimentSteps.AbandonAsync(services, new RepositoryOptions(directory), cancellationToken)), cancellationToken);

    [McpServerTool(Name = "status", ReadOnly = true, Idempotent = true)]
    [Description("Where the session stands: next experiment number, the experiment in progress, counts of kept/discarded/crashed, strategy rotation, plateau and stuck state, recent rows, and what the spec says to do next. Returns a perfloop.status/v1 JSON report.")]
    public Task<string> StatusAsync(CancellationToken cancellationToken = default) =>
        CallAsync(async () =>
        {
            var status = await ExperimentSteps.StatusAsync(services, new RepositoryOptions(directory), cancellationToken);
            return status with { Next = McpWords.Next(status.NextStep) };
        }, cancellationToken);

    [McpServerTool(Name = "rank", Destructive = false, Idempotent = true)]
    [Description("Rank the bottlenecks of a profile (" + ProfileFormats.Described + ") and write .perfloop/bottlenecks.json: every function with its self and total share, category, Amdahl bound on the speedup, and whether it is the repository's own code (a target). Choose experiment targets from the top of this list. Returns the perfloop.bottlenecks/v1 JSON.")]
    public Task<string> RankAsync(
        [Description("Path of the profile file, absolute or relative to the repository")] string profile,
        CancellationToken cancellationToken = default) =>
        CallTextAsync(async () =>
        {
            var outcome = await Tools.RankAsync(services, directory, Path.GetFullPath(profile, directory), cancellationToken);
            return Ranking.BottlenecksFile.Serialize(outcome.Ranking);
        }, cancellationToken);

    [McpServerTool(Name = "compare", Destructive = false, Idempotent = true)]
    [Description("Compare two refs end to end (e2e): each is built in its own temporary worktree and the benchmark runs interleaved between them until the confidence interval decides. Use after a KEEP to check the pre-optimization commit against HEAD; trust e2e over a micro-benchmark when they disagree. Takes as long as a benchmark. Returns the perfloop.compare/v1 JSON.")]
    public Task<string> CompareAsync(
        [Description("The ref to compare against: a commit, branch or tag (e.g. the commit before the first KEEP)")] string baseRef,
        [Description("The ref under test, e.g. HEAD")] string headRef = "HEAD",
        [Description("Benchmark shell command; default: the bench command in perfloop.json")] string? bench = null,
        CancellationToken cancellationToken = default) =>
        CallTextAsync(async () =>
        {
            var options = new CompareOptions(directory, baseRef, headRef) { Benchmarks = string.IsNullOrWhiteSpace(bench) ? [] : [bench] };
            return CompareFormatter.Json(await CompareRefs.RunAsync(services, options, cancellationToken));
        }, cancellationToken);

    public void Dispose() => gate.Dispose();

    static StepReport McpReport(StepReport report) => report with { Next = McpWords.Next(report.NextStep) };

    Task<string> CallAsync<T>(Func<Task<T>> step, CancellationToken cancellationToken) =>
        CallTextAsync(async () => McpWords.Render(ReportJson.Serialize(await step())), cancellationToken);

    async Task<string> CallTextAsync(Func<Task<string>> step, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            return await step();
        }
        catch (PerfloopException e)
        {
            // The SDK shows an McpException's message to the client; any other exception becomes a generic error.
            throw new McpException(McpWords.Render(e.Message), e);
        }
        finally
        {
            gate.Release();
        }
    }
}
