using Perfloop.Fidelity;

namespace Perfloop.Tests.Fidelity;

public class BenchSettingChangesTests
{
    [Fact]
    public void The_bench_script_named_in_the_bench_command_is_the_benchmark_itself()
    {
        const string diff = """
            diff --git a/bench.sh b/bench.sh
            --- a/bench.sh
            +++ b/bench.sh
            @@ -3 +3 @@
            -./app --size 1000 --threads=4
            +./app --size 10 --threads=4
            """;
        var change = Assert.Single(BenchSettingChanges.Find(diff, ["bench.sh"], "./bench.sh --quick"));
        Assert.Equal(SettingSeverity.Discard, change.Severity);
        Assert.Equal("bench.sh: changes the argument --size 1000 → 10", change.ToString());
    }

    [Fact]
    public void A_program_the_bench_command_runs_is_the_code_under_test_not_the_benchmark()
    {
        Assert.Empty(BenchSettingChanges.Find("", ["app.sh", "main.py"], "sh app.sh && python main.py"));
    }

    [Fact]
    public void A_config_file_the_bench_command_passes_is_part_of_the_benchmark()
    {
        var change = Assert.Single(BenchSettingChanges.Find("", ["conf/run.yaml"], "./app --config conf/run.yaml"));
        Assert.Equal(SettingSeverity.Discard, change.Severity);
    }

    [Fact]
    public void Files_under_a_bench_folder_are_the_harness()
    {
        var change = Assert.Single(BenchSettingChanges.Find("", ["bench/Harness.cs"], "dotnet run --project bench"));
        Assert.Equal(SettingSeverity.Discard, change.Severity);
    }

    [Fact]
    public void Configuration_files_warn_with_the_setting_that_changed()
    {
        const string diff = """
            diff --git a/appsettings.json b/appsettings.json
            --- a/appsettings.json
            +++ b/appsettings.json
            @@ -2 +2 @@
            -  "PoolSize": 16,
            +  "PoolSize": 64,
            diff --git a/App.csproj b/App.csproj
            --- a/App.csproj
            +++ b/App.csproj
            @@ -5,0 +6 @@
            +    <TieredPGO>false</TieredPGO>
            """;
        var changes = BenchSettingChanges.Find(diff, ["appsettings.json", "App.csproj", "Worker.cs"], "dotnet out/App.dll");
        Assert.Equal(2, changes.Count);
        Assert.All(changes, c => Assert.Equal(SettingSeverity.Warn, c.Severity));
        Assert.Equal("appsettings.json: changes the setting PoolSize 16 → 64", changes[0].ToString());
        Assert.Equal("App.csproj: adds the setting TieredPGO = false", changes[1].ToString());
    }

    [Fact]
    public void Source_files_not_named_by_the_bench_are_not_settings()
    {
        Assert.Empty(BenchSettingChanges.Find("", ["Program.cs", "src/WordCounter.cs"], "dotnet out/Demo.dll bench"));
    }

    [Theory]
    [InlineData("./bench.sh --size 10", "bench.sh")]
    [InlineData("python bench/run.py --config=conf/bench.yaml", "bench/run.py,conf/bench.yaml")]
    [InlineData("dotnet out/Demo.dll bench", "out/Demo.dll")]
    public void Files_named_in_the_bench_command(string command, string expected)
    {
        Assert.Equal(expected.Split(',').Order(), BenchSettingChanges.FilesNamedIn(command).Order());
    }
}
