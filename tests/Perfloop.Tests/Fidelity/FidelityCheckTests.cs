using Perfloop.Fidelity;

namespace Perfloop.Tests.Fidelity;

public class FidelityCheckTests
{
    static readonly BenchmarkProfile DemoProfile = new(
        ".perfloop/bottlenecks.json (nettrace, 235 samples)",
        [
            new("Demo.WordCounter.Count", null, 49.4),
            new("Demo.PrimeScanner.PrimesUpTo", null, 36.2),
            new("Program.Main.Bench", null, 97.4),
        ],
        ["Demo.Tokenizer.Tokenize", "Program.<<Main>$>g__Bench|0_0", "Demo.Archive.Quote"]);

    static CodeChanges Changed(params ChangedFunction[] functions) => new(functions, [], []);

    static ChangedFunction Cs(string container, string name) => new($"{container}.cs", "csharp", name, container, 10);

    [Fact]
    public void A_sampled_function_passes_with_its_share()
    {
        var result = FidelityCheck.Evaluate(Changed(Cs("PrimeScanner", "PrimesUpTo")), [], DemoProfile, null, "discard");
        Assert.Equal(FidelityVerdict.Passed, result.Verdict);
        Assert.Contains("PrimeScanner.PrimesUpTo (36.2% of samples)", result.Summary);
    }

    [Fact]
    public void A_function_compiled_during_the_run_but_never_sampled_still_runs()
    {
        var result = FidelityCheck.Evaluate(Changed(Cs("Tokenizer", "Tokenize")), [], DemoProfile, null, "discard");
        Assert.Equal(FidelityVerdict.Passed, result.Verdict);
        Assert.Contains("compiled during the run", result.Summary);
    }

    [Fact]
    public void A_function_the_benchmark_never_runs_fails_and_is_named()
    {
        var result = FidelityCheck.Evaluate(Changed(Cs("Archive", "ExportCsv")), [], DemoProfile, null, "discard");
        Assert.Equal(FidelityVerdict.Failed, result.Verdict);
        Assert.StartsWith("not exercised by the benchmark: Archive.ExportCsv (Archive.cs) never ran", result.Summary);
    }

    [Fact]
    public void Warn_mode_reports_cold_code_without_failing()
    {
        var result = FidelityCheck.Evaluate(Changed(Cs("Archive", "ExportCsv")), [], DemoProfile, null, "warn");
        Assert.Equal(FidelityVerdict.Warned, result.Verdict);
    }

    [Fact]
    public void One_running_function_is_enough()
    {
        var result = FidelityCheck.Evaluate(Changed(Cs("Archive", "ExportCsv"), Cs("Program", "Bench")), [], DemoProfile, null, "discard");
        Assert.Equal(FidelityVerdict.Passed, result.Verdict);
        Assert.Contains("Program.Bench", result.Summary);
    }

    [Fact]
    public void The_declaring_type_must_match_too()
    {
        // Another type's Count is not WordCounter.Count.
        var result = FidelityCheck.Evaluate(Changed(Cs("Inventory", "Count")), [], DemoProfile, null, "discard");
        Assert.Equal(FidelityVerdict.Failed, result.Verdict);
    }

    [Fact]
    public void Without_a_profile_fidelity_is_recorded_as_not_checked()
    {
        var result = FidelityCheck.Evaluate(Changed(Cs("Archive", "ExportCsv")), [], null, "no profile of the benchmark", "discard");
        Assert.Equal(FidelityVerdict.Unchecked, result.Verdict);
        Assert.Equal("unchecked: no profile of the benchmark", result.Column);
    }

    [Fact]
    public void A_cold_function_beside_an_unattributed_change_is_not_discarded()
    {
        var code = new CodeChanges([Cs("Archive", "ExportCsv")], [new UnattributedChange("Config.cs", 5, "PoolSize = 64;")], []);
        Assert.Equal(FidelityVerdict.Unchecked, FidelityCheck.Evaluate(code, [], DemoProfile, null, "discard").Verdict);
    }

    [Fact]
    public void Changing_the_bench_script_fails_whatever_the_functions()
    {
        var settings = new[] { new SettingChange("bench.sh", SettingSeverity.Discard, "named in the bench command", "changes the argument --size 1000 → 10") };
        var result = FidelityCheck.Evaluate(Changed(Cs("PrimeScanner", "PrimesUpTo")), settings, DemoProfile, null, "discard");
        Assert.Equal(FidelityVerdict.Failed, result.Verdict);
        Assert.Contains("bench.sh (named in the bench command): changes the argument --size 1000 → 10", result.Summary);
    }

    [Fact]
    public void A_shared_configuration_change_is_a_warning()
    {
        var settings = new[] { new SettingChange("appsettings.json", SettingSeverity.Warn, "configuration the production code reads too", "changes the setting PoolSize 16 → 64") };
        var result = FidelityCheck.Evaluate(Changed(Cs("PrimeScanner", "PrimesUpTo")), settings, DemoProfile, null, "discard");
        Assert.Equal(FidelityVerdict.Warned, result.Verdict);
        Assert.Contains("appsettings.json: changes the setting PoolSize 16 → 64", result.Summary);
    }
}
