using Perfloop.Compare;
using Perfloop.Implementers.Knobs;
using Perfloop.Statistics;

namespace Perfloop.Tests.Implementers.Knobs;

public sealed class KnobTests : IDisposable
{
    const string Project = """
        <Project Sdk="Microsoft.NET.Sdk">

          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <InvariantGlobalization>true</InvariantGlobalization>
            <!-- <TieredPGO>false</TieredPGO> left at the default -->
          </PropertyGroup>

        </Project>
        """;

    readonly string root = Directory.CreateTempSubdirectory("perfloop-knobs-").FullName;

    static RuntimeKnob Knob(string name) => RuntimeKnob.Catalogue.Single(k => k.Name == name);

    [Fact]
    public void AddsOnePropertyLineIndentedLikeItsSiblingsAndLeavesTheRestAlone()
    {
        var edited = ProjectFileEditor.Set(Project, Knob("TieredCompilation"), "false");

        var expected = Project.Replace(
            "    <!-- <TieredPGO>false</TieredPGO> left at the default -->\n",
            "    <!-- <TieredPGO>false</TieredPGO> left at the default -->\n    <TieredCompilation>false</TieredCompilation>\n",
            StringComparison.Ordinal);
        Assert.Equal(expected, edited);
    }

    [Fact]
    public void ChangesAnExistingValueInPlace()
    {
        var edited = ProjectFileEditor.Set(Project, Knob("InvariantGlobalization"), "false");

        Assert.Equal(Project.Replace("<InvariantGlobalization>true<", "<InvariantGlobalization>false<", StringComparison.Ordinal), edited);
    }

    [Fact]
    public void ACommentedOutKnobIsNotReadAsSet()
    {
        Assert.Null(ProjectFileEditor.Read(Project, Knob("TieredPGO")));
        Assert.Equal("true", ProjectFileEditor.Read(Project, Knob("InvariantGlobalization")));
    }

    [Fact]
    public void RuntimeOptionsGoIntoANewItemGroupAndReadBack()
    {
        var knob = Knob("System.GC.ConserveMemory");
        var edited = ProjectFileEditor.Set(Project, knob, "5");

        Assert.Contains("  <ItemGroup>\n    <RuntimeHostConfigurationOption Include=\"System.GC.ConserveMemory\" Value=\"5\" />\n  </ItemGroup>\n\n</Project>", edited, StringComparison.Ordinal);
        Assert.Equal("5", ProjectFileEditor.Read(edited, knob));
        Assert.Equal(edited.Replace("Value=\"5\"", "Value=\"7\"", StringComparison.Ordinal), ProjectFileEditor.Set(edited, knob, "7"));
    }

    [Fact]
    public void KeepsCrLfLineEndings()
    {
        var crlf = Project.ReplaceLineEndings("\r\n");

        var edited = ProjectFileEditor.Set(crlf, Knob("TieredPGO"), "false");

        Assert.Contains("    <TieredPGO>false</TieredPGO>\r\n  </PropertyGroup>", edited, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", edited.Replace("\r\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void PlanSkipsKnobsAlreadySetAndReadyToRunForABuildThatDoesNotPublish()
    {
        File.WriteAllText(Path.Combine(root, "App.csproj"), Project);

        var plan = KnobExplorer.Plan(root, "cpu", "dotnet build App.csproj -c Release -o out");

        var names = plan.Candidates.Select(c => c.Knob.Name).ToList();
        Assert.Equal(Path.Combine(root, "App.csproj"), plan.ProjectFile);
        Assert.DoesNotContain("InvariantGlobalization", names);
        Assert.DoesNotContain("PublishReadyToRun", names);
        Assert.DoesNotContain("System.GC.ConserveMemory", names);
        Assert.Equal("TieredPGO", names[0]);
        Assert.Contains(plan.Skipped, s => s.StartsWith("InvariantGlobalization: already true", StringComparison.Ordinal));
        Assert.Contains(plan.Skipped, s => s.StartsWith("PublishReadyToRun: only 'dotnet publish'", StringComparison.Ordinal));
        Assert.All(plan.Candidates, c => Assert.Equal("runtime-knobs", c.ToCandidate(root).Strategy));
    }

    [Fact]
    public void PlanLeavesKnobsSetInTheRuntimeConfigTemplateToIt()
    {
        File.WriteAllText(Path.Combine(root, "App.csproj"), Project);
        File.WriteAllText(Path.Combine(root, "runtimeconfig.template.json"), """{ "configProperties": { "System.GC.Server": true } }""");

        var plan = KnobExplorer.Plan(root, "cpu", null);

        Assert.DoesNotContain(plan.Candidates, c => c.Knob.Name == "ServerGarbageCollector");
        Assert.Contains(plan.Skipped, s => s.StartsWith("ServerGarbageCollector: set in runtimeconfig.template.json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ImplementingTwiceRefusesTheSecondTimeBecauseTheValueIsAlreadySet()
    {
        var path = Path.Combine(root, "App.csproj");
        File.WriteAllText(path, Project);
        var plan = KnobExplorer.Plan(root, "cpu", null);

        Assert.Null(await plan.ImplementAsync(null!, CancellationToken.None));
        Assert.Contains("<TieredPGO>false</TieredPGO>", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.Equal("TieredPGO is already false", await plan.ImplementAsync(null!, CancellationToken.None));
    }

    [Fact]
    public void AuditFindsOnlyKnobsSetAwayFromTheirDefault()
    {
        var project = ProjectFileEditor.Set(ProjectFileEditor.Set(Project, Knob("TieredPGO"), "false"), Knob("ServerGarbageCollector"), "false");

        var set = KnobAudit.SetKnobs(project);

        Assert.Equal(["InvariantGlobalization=true", "TieredPGO=false"], set.Select(k => $"{k.Knob.Name}={k.Value}").Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(CompareVerdict.Better, "still pays (-8.0% [-10.0%, -6.0%]): keep it")]
    [InlineData(CompareVerdict.Same, "pointless now (-8.0% [-10.0%, -6.0%]): its effect is within ±5%; reverting it is a candidate")]
    [InlineData(CompareVerdict.Worse, "harmful now (-8.0% [-10.0%, -6.0%]): the program is slower with it; reverting it is a candidate")]
    public void AuditFindingsSayWhatToDo(CompareVerdict verdict, string expected)
    {
        Assert.Equal(expected, KnobAudit.Finding(verdict, new RatioEstimate(0.92, 0.90, 0.94, 0.95, 10), 5));
    }

    public void Dispose() => Directory.Delete(root, recursive: true);
}
