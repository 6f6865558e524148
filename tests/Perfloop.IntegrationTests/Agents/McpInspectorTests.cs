using System.Text.Json;
using Perfloop.Init;
using Perfloop.IntegrationTests.Fixtures;
using Perfloop.Processes;

namespace Perfloop.IntegrationTests.Agents;

/// <summary>
/// <c>perfloop mcp</c> driven by a client Perfloop did not write: the official MCP Inspector in CLI mode, pinned in
/// tests/mcp-inspector (package.json and its lock file; .ci/run runs <c>npm ci</c> there, after which no network is
/// needed). It lists the tools and calls one, as an agent host would.
/// </summary>
public sealed class McpInspectorTests
{
    static readonly string Inspector = Path.Combine(SourceTree.Root, "tests", "mcp-inspector", "node_modules", ".bin", "mcp-inspector");

    [Fact]
    public async Task The_official_mcp_inspector_lists_perfloops_tools_and_calls_status()
    {
        using var repo = new TempGitRepository();
        repo.Write("app.sh", "#!/bin/sh\necho \"result 42\"\n");
        repo.CommitAll("program");
        await ProjectInitializer.InitAsync(new ProcessRunner(), new InitOptions(repo.Root, "sh app.sh"), CancellationToken.None);
        repo.CommitAll("perfloop config");
        SampleSession.WriteTo(Path.Combine(repo.Root, ".perfloop"));

        var listed = await InspectAsync(repo.Root, "--method", "tools/list");
        var tools = listed.GetProperty("tools").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);
        Assert.Subset(tools.Keys.ToHashSet(), new HashSet<string> { "experiment_start", "experiment_check", "experiment_bench", "experiment_guard", "experiment_decide", "experiment_abandon", "status", "rank", "compare" });
        Assert.Equal("object", tools["experiment_start"].GetProperty("inputSchema").GetProperty("type").GetString());
        Assert.True(tools["experiment_start"].GetProperty("inputSchema").GetProperty("properties").TryGetProperty("target", out _));

        var called = await InspectAsync(repo.Root, "--method", "tools/call", "--tool-name", "status");
        Assert.False(called.TryGetProperty("isError", out var isError) && isError.GetBoolean(), called.ToString());
        using var status = JsonDocument.Parse(called.GetProperty("content")[0].GetProperty("text").GetString()!);
        Assert.Equal("perfloop.status/v1", status.RootElement.GetProperty("schema").GetString());
        var rows = Perfloop.Journal.ResultsTable.Read(Path.Combine(repo.Root, ".perfloop", "results.tsv"));
        Assert.Equal(rows.Count(r => r.Status == Perfloop.Journal.ExperimentStatus.Keep), status.RootElement.GetProperty("kept").GetInt32());
        Assert.Equal(rows.Count(r => r.Status == Perfloop.Journal.ExperimentStatus.Discard), status.RootElement.GetProperty("discarded").GetInt32());
    }

    /// <summary>Runs the inspector against <c>dotnet Perfloop.Cli.dll mcp --dir REPO</c>; its stdout is the JSON result.</summary>
    static async Task<JsonElement> InspectAsync(string repository, params string[] method)
    {
        if (!File.Exists(Inspector))
        {
            Assert.Fail($"the MCP Inspector is not installed ({Inspector} is missing): this test drives 'perfloop mcp' with the official inspector. .ci/run installs it; locally run 'npm ci' in tests/mcp-inspector (needs node and npm).");
        }

        var cli = Path.Combine(AppContext.BaseDirectory, "Perfloop.Cli.dll");
        var spec = new CommandSpec(Inspector, ["--cli", "dotnet", cli, "mcp", "--dir", repository, .. method], Path.GetTempPath())
        {
            Timeout = TimeSpan.FromMinutes(2),
            MemoryCapBytes = 4 << 20,
        };
        var result = await new ProcessRunner().RunAsync(spec);
        Assert.True(result.Succeeded, $"mcp-inspector {string.Join(' ', method)} failed (exit {result.ExitCode}, timed out: {result.TimedOut}): {result.StderrText}\n{result.StdoutText}");
        using var json = JsonDocument.Parse(result.StdoutText);
        return json.RootElement.Clone();
    }
}
