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

    static ChangedFunction In(string path, string language, string name, string? container = null) => new(path, language, name, container, 5);

    static readonly BenchmarkProfile PythonProfile = new(
        ".perfloop/bottlenecks.json (pstats, 30000 samples)",
        [new("Scanner.hot", "scan.py", 91.4), new("cold", "scan.py", 1.0), new("main", "scan.py", 99.0)],
        [])
    { Format = "pstats" };

    [Fact]
    public void A_function_of_a_language_the_profile_cannot_see_is_not_called_cold()
    {
        // cProfile shows Python functions only: a change in the C extension can be neither confirmed nor refuted.
        var result = FidelityCheck.Evaluate(Changed(In("ext/fast.c", "c", "scan")), [], PythonProfile, null, "discard");
        Assert.Equal(FidelityVerdict.Unchecked, result.Verdict);
        Assert.Equal("scan (ext/fast.c) cannot be matched: a cProfile profile (Python) does not show C/C++ functions", result.Summary);
    }

    [Fact]
    public void A_pass_names_what_it_could_not_match_and_why()
    {
        var code = Changed(In("scan.py", "python", "hot", "Scanner"), In("scan.py", "python", "unused"), In("ext/fast.c", "c", "scan"));
        var result = FidelityCheck.Evaluate(code, [], PythonProfile, null, "discard");
        Assert.Equal(FidelityVerdict.Passed, result.Verdict);
        Assert.Equal(
            "the benchmark runs Scanner.hot (91.4% of the profile); not matched: unused (scan.py) never ran in it; scan (ext/fast.c) — a cProfile profile (Python) does not show C/C++ functions",
            result.Summary);
    }

    [Fact]
    public void A_cold_function_beside_one_the_profile_cannot_see_is_not_discarded()
    {
        var result = FidelityCheck.Evaluate(Changed(In("scan.py", "python", "unused"), In("ext/fast.c", "c", "scan")), [], PythonProfile, null, "discard");
        Assert.Equal(FidelityVerdict.Unchecked, result.Verdict);
    }

    static readonly BenchmarkProfile SampledJvmProfile = new(".perfloop/bottlenecks.json (jfr, 412 samples)", [new("com.acme.Main.hot", null, 96.0), new("com.acme.Main.main", null, 99.5)], [])
    { Format = "jfr" };

    [Fact]
    public void A_function_a_sampled_profile_never_sampled_is_measured_not_discarded()
    {
        // A setup method that runs once can take no sample and still change what the hot code does.
        var result = FidelityCheck.Evaluate(Changed(In("src/com/acme/Main.java", "java", "setup", "Main")), [], SampledJvmProfile, null, "discard");
        Assert.Equal(FidelityVerdict.Warned, result.Verdict);
        Assert.Equal(
            "Main.setup (src/com/acme/Main.java) not seen in .perfloop/bottlenecks.json (jfr, 412 samples): a JFR recording (JVM) only samples, so it cannot show that a function never ran; measured anyway",
            result.Summary);
    }

    [Fact]
    public void The_jvms_list_of_called_methods_tells_a_method_that_ran_from_one_that_never_did()
    {
        var listed = SampledJvmProfile with { Called = ["com.acme.Main.main", "com.acme.Main.hot", "com.acme.Main.setup"] };

        var ran = FidelityCheck.Evaluate(Changed(In("src/com/acme/Main.java", "java", "setup", "Main")), [], listed, null, "discard");
        var never = FidelityCheck.Evaluate(Changed(In("src/com/acme/Main.java", "java", "unused", "Main")), [], listed, null, "discard");

        Assert.Equal((FidelityVerdict.Passed, "the benchmark runs Main.setup (called during the run)"), (ran.Verdict, ran.Summary));
        Assert.Equal(FidelityVerdict.Failed, never.Verdict);
        Assert.StartsWith("not exercised by the benchmark: Main.unused (src/com/acme/Main.java) never ran", never.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pass_on_a_sampled_profile_says_not_sampled_rather_than_never_ran()
    {
        var code = Changed(In("src/com/acme/Main.java", "java", "hot", "Main"), In("src/com/acme/Main.java", "java", "setup", "Main"));
        var result = FidelityCheck.Evaluate(code, [], SampledJvmProfile, null, "discard");
        Assert.Equal(FidelityVerdict.Passed, result.Verdict);
        Assert.EndsWith("not matched: Main.setup (src/com/acme/Main.java) not sampled", result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void A_function_of_the_same_name_in_another_file_does_not_count()
    {
        var result = FidelityCheck.Evaluate(Changed(In("tools/other.py", "python", "cold")), [], PythonProfile, null, "discard");
        Assert.Equal(FidelityVerdict.Failed, result.Verdict);
    }

    [Theory]
    [InlineData("ns::Parser::parse(char const*)", "parse", "Parser", true)]
    [InlineData("ns::Parser::parse(char const*) const", "parse", "Lexer", false)]
    [InlineData("process(Widget)", "Widget", null, false)]
    [InlineData("main.(*Scanner).Hot", "Hot", "Scanner", true)]
    [InlineData("main.Hot", "Hot", null, true)]
    [InlineData("scan.py:12(hot)", "hot", null, true)]
    [InlineData("scan.py:12(hot)", "hot", "Scanner", true)]
    [InlineData("Scanner.hot", "hot", "Scanner", true)]
    [InlineData("Reader.hot", "hot", "Scanner", false)]
    [InlineData("hot", "hot", "Scanner", true)]
    [InlineData("bench::Scanner::hot", "hot", "Scanner", true)]
    [InlineData("<bench::Scanner as bench::Scan>::hot", "hot", "Scanner", true)]
    [InlineData("com.acme.Main$Inner.run", "run", "Inner", true)]
    [InlineData("__geometry_MOD_area", "area", null, true)]
    [InlineData("smooth_", "smooth", null, true)]
    [InlineData("Program.<<Main>$>g__Bench|0_0", "Bench", "Program", true)]
    public void Profile_names_are_read_the_way_each_profiler_writes_them(string profileName, string function, string? container, bool names) =>
        Assert.Equal(names, BenchmarkProfile.Names(profileName, function, container));
}
