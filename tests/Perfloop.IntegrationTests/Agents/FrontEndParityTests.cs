using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Perfloop.Configuration;
using Perfloop.IntegrationTests.Fixtures;
using Perfloop.Journal;

namespace Perfloop.IntegrationTests.Agents;

/// <summary>
/// The CLI's step verbs and the MCP tools call the same use cases: on two identical repositories, the same inputs give
/// the same reports (all but the words of the next step, which each front end says its own way, and commit ids) and the
/// same results rows. The program reports its work as a METRIC line, so the verdicts cannot depend on the machine's load.
/// </summary>
public sealed class FrontEndParityTests
{
    static TempGitRepository Repository()
    {
        var repo = new TempGitRepository();
        repo.Write("app.sh", "#!/bin/sh\n. ./lib/work.sh\nif [ \"$1\" = \"--result\" ]; then echo \"result 42\"; exit 0; fi\necho \"METRIC work=$WORK\"\n");
        repo.Write("lib/work.sh", "WORK=100\n");
        repo.Write("check.sh", "#!/bin/sh\n[ \"$(sh app.sh --result)\" = \"result 42\" ]\n");
        repo.Write(PerfloopConfig.FileName, """
            {
              "bench": "sh app.sh",
              "guard": "sh check.sh",
              "oracles": [ { "command": "sh app.sh --result" } ],
              "metric": { "name": "work", "goal": "lower" },
              "measurement": { "warmupRuns": 0, "minRuns": 6, "maxRuns": 16, "calibrationRuns": 4, "maxSeconds": 60 }
            }
            """);
        repo.CommitAll("program and perfloop setup");
        return repo;
    }

    [Fact]
    public async Task The_step_verbs_and_the_mcp_tools_report_and_record_the_same_for_the_same_inputs()
    {
        using var viaCli = Repository();
        using var viaMcp = Repository();

        var cli = new List<JsonNode>
        {
            Cli(viaCli, "experiment", "start", "--target", "work loop", "--category", "algorithm", "--impact", "~100% of runtime"),
        };
        viaCli.Write("lib/work.sh", "WORK=50\n");
        cli.Add(Cli(viaCli, "experiment", "check", "--summary", "Halve the work"));
        cli.Add(Cli(viaCli, "experiment", "bench"));
        cli.Add(Cli(viaCli, "experiment", "guard"));
        cli.Add(Cli(viaCli, "experiment", "decide"));
        cli.Add(Cli(viaCli, "status"));

        await using var client = await McpClient.CreateAsync(new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "perfloop",
            Command = "dotnet",
            Arguments = [Path.Combine(AppContext.BaseDirectory, "Perfloop.Cli.dll"), "mcp", "--dir", viaMcp.Root],
            WorkingDirectory = Path.GetTempPath(),
        }));
        var mcp = new List<JsonNode>
        {
            await CallAsync(client, "experiment_start", new() { ["target"] = "work loop", ["category"] = "algorithm", ["impact"] = "~100% of runtime" }),
        };
        viaMcp.Write("lib/work.sh", "WORK=50\n");
        mcp.Add(await CallAsync(client, "experiment_check", new() { ["summary"] = "Halve the work" }));
        mcp.Add(await CallAsync(client, "experiment_bench", []));
        mcp.Add(await CallAsync(client, "experiment_guard", []));
        mcp.Add(await CallAsync(client, "experiment_decide", []));
        mcp.Add(await CallAsync(client, "status", []));

        Assert.Equal("keep", (string?)cli[4]["decision"]);
        Assert.Equal("improved", (string?)cli[2]["measurement"]?["verdict"]);
        for (var i = 0; i < cli.Count; i++)
        {
            Assert.Equal(Comparable(cli[i]), Comparable(mcp[i]));
            // Each front end words the same next step its own way.
            Assert.Equal((string?)cli[i]["nextStep"]?["action"], (string?)mcp[i]["nextStep"]?["action"]);
            Assert.Contains("perfloop ", (string?)cli[i]["next"], StringComparison.Ordinal);
            Assert.DoesNotContain("perfloop ", (string?)mcp[i]["next"], StringComparison.Ordinal);
        }

        Assert.Equal(Rows(viaCli), Rows(viaMcp));
    }

    static JsonNode Cli(TempGitRepository repo, params string[] arguments)
    {
        var result = PerfloopProcess.Run(repo.Root, [.. arguments, "--json"]);
        Assert.True(result.ExitCode == 0, $"{string.Join(' ', arguments)} exited {result.ExitCode}: {result.Stderr}");
        return JsonNode.Parse(result.Stdout)!;
    }

    static async Task<JsonNode> CallAsync(McpClient client, string tool, Dictionary<string, object?> arguments)
    {
        var result = await client.CallToolAsync(tool, arguments);
        var text = string.Concat(result.Content.OfType<TextContentBlock>().Select(c => c.Text));
        Assert.False(result.IsError == true, $"{tool} failed: {text}");
        return JsonNode.Parse(text)!;
    }

    /// <summary>A report without what must differ: the commits (made at different times) and the next step's words.</summary>
    static string Comparable(JsonNode report)
    {
        var copy = report.DeepClone().AsObject();
        foreach (var volatileField in new[] { "preCommit", "commit", "next", "recent" })
        {
            copy.Remove(volatileField);
        }

        return copy.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    static List<string> Rows(TempGitRepository repo) =>
        ResultsTable.Read(PerfloopPaths.Results(repo.Root))
            .Select(r => ResultsTable.FormatRow(r with { Timestamp = DateTimeOffset.UnixEpoch, Commit = "" }))
            .ToList();
}
