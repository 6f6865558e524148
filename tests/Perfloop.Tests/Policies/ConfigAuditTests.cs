using Perfloop.Configuration;
using Perfloop.Oracle;
using Perfloop.Policies;

namespace Perfloop.Tests.Policies;

public class ConfigAuditTests
{
    static AuditInputs Inputs(PerfloopConfig config, IReadOnlyList<string>? changed = null, Dictionary<string, string>? files = null) => new()
    {
        Config = config,
        FilesBefore = ["src/app.cs", "fixtures/big.txt", "app.csproj", "Directory.Build.props", "runtimeconfig.template.json"],
        FilesAfter = ["src/app.cs", "app.csproj", "Directory.Build.props", "runtimeconfig.template.json"],
        Changed = changed ?? ["src/app.cs"],
        ReadFile = path => files?.GetValueOrDefault(path),
    };

    [Fact]
    public void Loop_settings_that_point_at_nothing_are_reported()
    {
        var config = new PerfloopConfig
        {
            Bench = "app",
            Oracles = [new OracleSpec { Command = "app", Files = ["out.txt"] }],
            ProtectedPaths = ["fixtures/", "docs/"],
        };
        var inputs = Inputs(config) with { Oracle = [new OracleOutput("app", 0, "", 0, [], new Dictionary<string, string?> { ["out.txt"] = null })] };
        var findings = ConfigAudit.Audit(inputs);
        Assert.Contains(findings, f => f.Setting == "$.oracles[0].files" && f.Problem.Contains("'out.txt' is never written", StringComparison.Ordinal));
        Assert.Contains(findings, f => f.Setting == "$.protectedPaths" && f.Problem.Contains("'fixtures/'", StringComparison.Ordinal));
        Assert.Contains(findings, f => f.Problem.Contains("'docs/' matches no tracked file", StringComparison.Ordinal));
        Assert.DoesNotContain(ConfigAudit.Audit(Inputs(config with { ProtectedPaths = ["src/"] })), f => f.Setting == "$.protectedPaths");
    }

    [Fact]
    public void A_benchmark_flag_whose_last_reader_was_removed_is_reported()
    {
        var config = new PerfloopConfig { Bench = "./app --iterations 5 --use-cache" };
        var inputs = Inputs(config) with
        {
            Diff = "--- a/src/app.cs\n+++ b/src/app.cs\n-    if (args.Contains(\"--use-cache\")) cache = true;\n-    var n = Read(\"--iterations\");\n+    var n = Read(\"--iterations\");\n",
            FlagsStillRead = new HashSet<string> { "--iterations" },
        };
        var finding = Assert.Single(ConfigAudit.Audit(inputs));
        Assert.Contains("'--use-cache'", finding.Problem);
        Assert.Equal(["--iterations", "--use-cache"], ConfigAudit.Flags(config.Bench));
    }

    [Fact]
    public void Duplicated_and_contradicted_dotnet_settings_touched_by_the_change_are_reported()
    {
        var files = new Dictionary<string, string>
        {
            ["app.csproj"] = "<Project><PropertyGroup><ServerGarbageCollection>true</ServerGarbageCollection><TieredPGO>true</TieredPGO><TieredPGO>false</TieredPGO><Nullable>enable</Nullable></PropertyGroup></Project>",
            ["Directory.Build.props"] = "<Project><PropertyGroup><Nullable>disable</Nullable></PropertyGroup></Project>",
            ["runtimeconfig.template.json"] = """{ "configProperties": { "System.GC.Server": false } }""",
        };
        var config = new PerfloopConfig { Bench = "app" };
        var findings = ConfigAudit.Audit(Inputs(config, ["app.csproj"], files));
        Assert.Contains(findings, f => f.Setting == "app.csproj: <TieredPGO>" && f.Problem.Contains("different values", StringComparison.Ordinal));
        Assert.Contains(findings, f => f.Setting == "<Nullable>" && f.Problem.Contains("contradicts", StringComparison.Ordinal));
        Assert.Contains(findings, f => f.Setting == "System.GC.Server" && f.Problem.Contains("only one of them takes effect", StringComparison.Ordinal));
        Assert.DoesNotContain(ConfigAudit.Audit(Inputs(config, ["src/app.cs"], files)), f => f.Area == ".NET settings");
    }
}
