using System.Reflection;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Perfloop.Experiments;

namespace Perfloop.Mcp;

/// <summary>
/// <c>perfloop mcp</c>: an MCP server over stdio. Stdout carries only the protocol; the loop's status lines go to
/// the reporter the caller gives (stderr), and every child process's output is captured, never inherited.
/// </summary>
public static class PerfloopMcpServer
{
    public const string Name = "perfloop";

    /// <summary>Every method of <paramref name="tools"/> marked as a tool, with its name, description and parameter schema.</summary>
    public static IReadOnlyList<McpServerTool> Tools(PerfloopTools tools) => typeof(PerfloopTools).GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.GetCustomAttribute<McpServerToolAttribute>() is not null)
            .Select(m => McpServerTool.Create(m, tools))
            .ToList();

    /// <summary>Serves the tools on stdin/stdout until the client disconnects or <paramref name="cancellationToken"/> fires.</summary>
    public static async Task RunAsync(string directory, EngineServices services, CancellationToken cancellationToken)
    {
        using var tools = new PerfloopTools(services, directory);
        var toolCollection = new McpServerPrimitiveCollection<McpServerTool>();
        foreach (var tool in Tools(tools))
        {
            toolCollection.Add(tool);
        }

        var options = new McpServerOptions
        {
            ServerInfo = new Implementation { Name = Name, Version = typeof(PerfloopMcpServer).Assembly.GetName().Version?.ToString(3) ?? "0.1.0" },
            ServerInstructions = "Perfloop measures, judges, records and reverts performance experiments in the git repository " + directory
                + ". Choose targets with rank (from a profile). Per experiment: experiment_start (target) → edit code → experiment_check → experiment_bench → experiment_guard → experiment_decide; after a KEEP, compare the pre-optimization commit with HEAD. Call status first and whenever unsure what to do next.",
            ToolCollection = toolCollection,
        };
        await using var transport = new StdioServerTransport(Name);
        await using var server = McpServer.Create(transport, options);
        await server.RunAsync(cancellationToken);
    }
}
