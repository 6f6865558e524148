using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Perfloop.Configuration;
using Perfloop.Init;
using Perfloop.IntegrationTests.Fixtures;
using Perfloop.Journal;
using Perfloop.Processes;

namespace Perfloop.IntegrationTests.Agents;

/// <summary>The built CLI's <c>perfloop mcp</c> as a child process, driven by the SDK's own client over stdio.</summary>
public sealed class McpServerTests
{
    static readonly string[] StepTools =
        ["experiment_start", "experiment_check", "experiment_bench", "experiment_guard", "experiment_decide", "experiment_abandon", "status", "rank", "compare"];

    [Fact]
    public async Task An_agent_ranks_runs_one_full_experiment_and_compares_through_the_mcp_tools()
    {
        using var repo = new TempGitRepository();
        // Judged on the sleeps' total (SleepProgram): the keep is exact however busy the machine is.
        repo.Write("app.sh", "#!/bin/sh\n" + SleepProgram.Prelude + ". ./lib/setup.sh\nsleep 0.10\necho \"result 42\"\n" + SleepProgram.Report);
        repo.Write("lib/setup.sh", "sleep 0.20\n");
        repo.Write("check.sh", "#!/bin/sh\ngrep -q 'result 42' app.sh\n");
        repo.CommitAll("program");
        var patch = repo.MakeCandidate("0001-faster.patch", "Faster setup", [], r => r.Write("lib/setup.sh", "sleep 0.02\n"));
        await ProjectInitializer.InitAsync(new ProcessRunner(), new InitOptions(repo.Root, SleepProgram.Bench) { Oracles = ["sh app.sh"], Guard = "sh check.sh" }, CancellationToken.None);
        SleepProgram.JudgeOnSleeps(repo);
        repo.CommitAll("perfloop config");
        var before = repo.Git("rev-parse", "HEAD").Trim();

        var stderr = new List<string>();
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "perfloop",
            Command = "dotnet",
            Arguments = [Path.Combine(AppContext.BaseDirectory, "Perfloop.Cli.dll"), "mcp", "--dir", repo.Root],
            WorkingDirectory = Path.GetTempPath(),
            StandardErrorLines = line =>
            {
                lock (stderr)
                {
                    stderr.Add(line);
                }
            },
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using var client = await McpClient.CreateAsync(transport, cancellationToken: timeout.Token);

        var tools = await client.ListToolsAsync(cancellationToken: timeout.Token);
        Assert.Subset(tools.Select(t => t.Name).ToHashSet(), StepTools.ToHashSet());
        var start = tools.Single(t => t.Name == "experiment_start");
        Assert.Contains("oracle", start.Description, StringComparison.Ordinal);
        Assert.Contains("\"target\"", start.JsonSchema.GetRawText(), StringComparison.Ordinal);
        Assert.Contains("What is being optimized", start.JsonSchema.GetRawText(), StringComparison.Ordinal);

        // Out of order: one clear message, flagged as a tool error, the server stays up.
        var early = await client.CallToolAsync("experiment_bench", cancellationToken: timeout.Token);
        Assert.True(early.IsError);
        Assert.Contains("no experiment is in progress", Text(early), StringComparison.Ordinal);

        var profile = Path.Combine(repo.Candidates, "app.folded");
        File.WriteAllText(profile, "main;run_setup 70\nmain;run_work 30\n");
        var ranking = await CallAsync(client, "rank", new() { ["profile"] = profile }, timeout.Token);
        Assert.Equal("perfloop.bottlenecks/v1", ranking.GetProperty("schema").GetString());
        Assert.Contains(ranking.GetProperty("functions").EnumerateArray(), f => f.GetProperty("function").GetString() == "run_setup");
        Assert.True(File.Exists(Path.Combine(repo.Root, ".perfloop", "bottlenecks.json")));

        var started = await CallAsync(client, "experiment_start", new() { ["target"] = "setup", ["category"] = "algorithm", ["impact"] = "~65% of runtime" }, timeout.Token);
        Assert.Equal("perfloop.step/v1", started.GetProperty("schema").GetString());
        Assert.Equal(1, started.GetProperty("experiment").GetInt32());

        repo.Git("apply", patch);
        var check = await CallAsync(client, "experiment_check", new() { ["summary"] = "Faster setup" }, timeout.Token);
        Assert.Equal(JsonValueKind.Null, check.GetProperty("problem").ValueKind);
        var bench = await CallAsync(client, "experiment_bench", [], timeout.Token);
        Assert.Equal("improved", bench.GetProperty("measurement").GetProperty("verdict").GetString());
        Assert.Equal(-60, bench.GetProperty("measurement").GetProperty("deltaPct").GetDouble(), 6);
        var guard = await CallAsync(client, "experiment_guard", [], timeout.Token);
        Assert.Equal("pass", guard.GetProperty("guard").GetString());
        var decide = await CallAsync(client, "experiment_decide", [], timeout.Token);
        Assert.Equal("keep", decide.GetProperty("decision").GetString());

        var row = ResultsTable.Read(PerfloopPaths.Results(repo.Root)).Single(r => r.Experiment == 1);
        Assert.Equal("keep guard_pass", row.StatusText);
        Assert.Equal(decide.GetProperty("commit").GetString(), row.Commit);
        Assert.Equal("Faster setup", repo.Git("log", "-1", "--format=%s").Trim());
        Assert.Equal("1", repo.Git("rev-list", "--count", $"{before}..HEAD").Trim());
        Assert.Equal("", repo.Git("status", "--porcelain"));

        var status = await CallAsync(client, "status", [], timeout.Token);
        Assert.Equal("perfloop.status/v1", status.GetProperty("schema").GetString());
        Assert.Equal(1, status.GetProperty("kept").GetInt32());

        var compare = await CallAsync(client, "compare", new() { ["baseRef"] = before, ["headRef"] = "HEAD" }, timeout.Token);
        Assert.Equal("perfloop.compare/v1", compare.GetProperty("schema").GetString());
        Assert.False(compare.GetProperty("failed").GetBoolean());
        Assert.Single(repo.Git("worktree", "list", "--porcelain").Split('\n'), l => l.StartsWith("worktree ", StringComparison.Ordinal));

        // The loop's status lines reached stderr, not the protocol stream.
        lock (stderr)
        {
            Assert.Contains("[experiment 1] KEEP", stderr);
        }
    }

    static async Task<JsonElement> CallAsync(McpClient client, string tool, Dictionary<string, object?> arguments, CancellationToken cancellationToken)
    {
        var result = await client.CallToolAsync(tool, arguments, cancellationToken: cancellationToken);
        Assert.False(result.IsError == true, $"{tool} failed: {Text(result)}");
        return JsonDocument.Parse(Text(result)).RootElement.Clone();
    }

    static string Text(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(c => c.Text));
}
