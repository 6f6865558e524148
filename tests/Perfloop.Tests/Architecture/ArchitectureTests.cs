namespace Perfloop.Tests.Architecture;

/// <summary>
/// The design rules, checked on the compiled code (docs/architecture.md): the engine knows no front end; the pure core
/// touches no process, git or file; a front end's command or tool makes one call into the engine's use cases and does no
/// orchestration of its own; the engine's feature folders depend on each other without cycles.
/// </summary>
public class ArchitectureTests
{
    const string Engine = "Perfloop";

    static readonly Lazy<CodeGraph> Graph = new(() => CodeGraph.Read(
        Path.Combine(AppContext.BaseDirectory, "Perfloop.dll"),
        Path.Combine(AppContext.BaseDirectory, "Perfloop.Cli.dll"),
        Path.Combine(AppContext.BaseDirectory, "Perfloop.Mcp.dll")));

    static IEnumerable<TypeUse> EngineTypes => Graph.Value.Types.Values.Where(t => t.Assembly == Engine);

    [Fact]
    public void The_engine_references_no_front_end_no_parser_and_no_console()
    {
        string[] frontEnds = ["Perfloop.Cli", "Perfloop.Mcp", "System.CommandLine", "ModelContextProtocol", "ModelContextProtocol.Core", "Spectre.Console"];
        var violations = EngineTypes
            .SelectMany(t => t.Uses.Where(u => frontEnds.Contains(u.Assembly) || u.FullName == "System.Console").Select(u => $"{t.FullName} → {u.FullName} ({u.Assembly})"))
            .Distinct()
            .ToList();
        Assert.True(violations.Count == 0, "the engine must not know its front ends:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void Statistics_policies_and_decisions_touch_no_process_git_or_file()
    {
        string[] pureNamespaces = ["Perfloop.Statistics", "Perfloop.Policies"];
        string[] pureTypes =
        [
            "Perfloop.Experiments.CheckDecision", "Perfloop.Experiments.CheckEvidence", "Perfloop.Experiments.KeepDiscardDecision",
            "Perfloop.Experiments.Evidence", "Perfloop.Experiments.StatusLines", "Perfloop.Sessions.SessionStatus",
        ];
        string[] ioTypes =
        [
            "System.IO.File", "System.IO.Directory", "System.IO.FileStream", "System.IO.FileInfo", "System.IO.DirectoryInfo",
            "System.IO.FileSystemInfo", "System.IO.StreamReader", "System.IO.StreamWriter", "System.IO.DriveInfo", "System.Diagnostics.Process",
        ];
        var pure = EngineTypes.Where(t => pureNamespaces.Contains(t.Namespace) || pureTypes.Contains(t.FullName)).ToList();
        Assert.True(pure.Count >= pureTypes.Length, "the pure core was found");
        var violations = pure
            .SelectMany(t => t.Uses
                .Where(u => ioTypes.Contains(u.FullName)
                    || u.Namespace is "Perfloop.Processes" or "Perfloop.Storage"
                    || (u.Namespace == "Perfloop.Git" && u.FullName != "Perfloop.Git.CommitId")
                    || u.FullName is "Perfloop.Journal.ResultsTable")
                .Select(u => $"{t.FullName} → {u.FullName}"))
            .Distinct()
            .ToList();
        Assert.True(violations.Count == 0, "pure code must take its data as arguments:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void Every_command_and_tool_makes_one_use_case_call_and_orchestrates_nothing()
    {
        var frontEnds = Graph.Value.Types.Values
            .Where(t => t.Namespace == "Perfloop.Cli.Commands" || t.FullName == "Perfloop.Mcp.PerfloopTools")
            .ToList();
        Assert.True(frontEnds.Count >= 10, "the commands were found");
        var problems = new List<string>();
        foreach (var type in frontEnds)
        {
            foreach (var caller in type.Calls.GroupBy(c => c.Caller))
            {
                // A use case is a method of the use-case layer; its options' constructors and setters and its results' getters are data.
                var useCases = caller.Where(c => c.Namespace == "Perfloop.UseCases" && c.Assembly == Engine && !IsDataAccess(c.Method)).Select(c => $"{c.Type}.{c.Method}").Distinct().ToList();
                if (useCases.Count > 1)
                {
                    problems.Add($"{type.FullName}.{caller.Key} calls {useCases.Count} use cases: {string.Join(", ", useCases)}");
                }

                problems.AddRange(caller
                    .Where(c => c.Assembly == Engine && c.ReturnsTask && c.Namespace != "Perfloop.UseCases")
                    .Select(c => $"{type.FullName}.{caller.Key} orchestrates the engine itself: {c.Type}.{c.Method}"));
            }
        }

        var withUseCase = frontEnds.Where(t => t.Calls.Any(c => c.Namespace == "Perfloop.UseCases" && !IsDataAccess(c.Method))).Select(t => t.FullName).ToList();
        Assert.True(withUseCase.Count >= 10, "commands call use cases: " + string.Join(", ", withUseCase));
        Assert.True(problems.Count == 0, "a front end parses and renders; the engine's use cases do the work:\n" + string.Join("\n", problems.Distinct()));
    }

    [Fact]
    public void The_engines_feature_folders_depend_on_each_other_without_cycles()
    {
        static string? Feature(string ns) => ns.StartsWith("Perfloop.", StringComparison.Ordinal) ? ns.Split('.')[1] : null;
        var edges = EngineTypes
            .Where(t => Feature(t.Namespace) is not null)
            .SelectMany(t => t.Uses.Where(u => u.Assembly == Engine && Feature(u.Namespace) is { } to && to != Feature(t.Namespace))
                .Select(u => (From: Feature(t.Namespace)!, To: Feature(u.Namespace)!, Why: $"{t.FullName} → {u.FullName}")))
            .ToList();
        var graph = edges.GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.Select(e => e.To).ToHashSet());
        var cycles = StronglyConnected(graph).Where(c => c.Count > 1).ToList();
        var explained = cycles.Select(cycle => string.Join(" ↔ ", cycle) + ":\n  " + string.Join("\n  ",
            edges.Where(e => cycle.Contains(e.From) && cycle.Contains(e.To)).Select(e => e.Why).Distinct().Take(400)));
        Assert.True(cycles.Count == 0, "feature folders in a cycle:\n" + string.Join("\n", explained));
    }

    static bool IsDataAccess(string method) =>
        method is ".ctor" or "<Clone>$" || method.StartsWith("get_", StringComparison.Ordinal) || method.StartsWith("set_", StringComparison.Ordinal);

    /// <summary>Tarjan's strongly connected components of a small graph.</summary>
    static List<List<string>> StronglyConnected(Dictionary<string, HashSet<string>> graph)
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var result = new List<List<string>>();
        var counter = 0;
        void Visit(string node)
        {
            index[node] = low[node] = counter++;
            stack.Push(node);
            onStack.Add(node);
            foreach (var next in graph.GetValueOrDefault(node, []))
            {
                if (!index.TryGetValue(next, out var seen))
                {
                    Visit(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (onStack.Contains(next))
                {
                    low[node] = Math.Min(low[node], seen);
                }
            }

            if (low[node] == index[node])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (member != node);
                result.Add(component);
            }
        }

        foreach (var node in graph.Keys.Concat(graph.Values.SelectMany(v => v)).Distinct().Order(StringComparer.Ordinal))
        {
            if (!index.ContainsKey(node))
            {
                Visit(node);
            }
        }

        return result;
    }
}
