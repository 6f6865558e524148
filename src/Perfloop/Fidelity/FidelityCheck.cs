using Perfloop.Configuration;

namespace Perfloop.Fidelity;

public enum FidelityVerdict
{
    /// <summary>The benchmark runs what changed, with unchanged settings.</summary>
    Passed,

    /// <summary>Worth knowing, not a reason to discard (a shared setting changed; or not exercised in "warn" mode).</summary>
    Warned,

    /// <summary>The benchmark cannot judge this change: it never runs it, or the benchmark itself changed.</summary>
    Failed,

    /// <summary>No profile, or no function could be named: fidelity could not be checked (recorded, not a discard).</summary>
    Unchecked,
}

/// <summary>The fidelity result of one candidate: a verdict and the sentence that explains it.</summary>
public sealed record FidelityResult(FidelityVerdict Verdict, string Summary)
{
    /// <summary>The <c>fidelity</c> column: "pass: …", "warn: …", "fail: …", "unchecked: …".</summary>
    public string Column => $"{Word}: {Summary}";

    public string Word => Verdict switch
    {
        FidelityVerdict.Passed => "pass",
        FidelityVerdict.Warned => "warn",
        FidelityVerdict.Failed => "fail",
        _ => "unchecked",
    };
}

/// <summary>
/// Spec step 7 as a pure function: does the benchmark exercise what the candidate changed, with the same settings?
/// A change to the benchmark itself fails; changed functions none of which the profile saw fail in
/// <c>"fidelity": "discard"</c> mode (warn in <c>"warn"</c> mode); with no profile the check is recorded as not done.
/// </summary>
public static class FidelityCheck
{
    public static FidelityResult Evaluate(CodeChanges code, IReadOnlyList<SettingChange> settings, BenchmarkProfile? profile, string? whyNoProfile, string mode)
    {
        var benchChanges = settings.Where(s => s.Severity == SettingSeverity.Discard).ToList();
        if (benchChanges.Count > 0)
        {
            var first = benchChanges[0];
            return new FidelityResult(FidelityVerdict.Failed,
                $"the candidate changes the benchmark itself — {first.Path} ({first.Kind}): {first.Description}; baseline and candidate must run the same benchmark with the values production uses");
        }

        var warnings = settings.Where(s => s.Severity == SettingSeverity.Warn).Select(s => $"{s.Path}: {s.Description} (read by the production code too, so the benchmark measures the new value)").ToList();
        var (verdict, summary) = Functions(code, profile, whyNoProfile, mode);
        if (warnings.Count > 0)
        {
            summary = string.Join("; ", warnings.Prepend(summary));
            verdict = verdict is FidelityVerdict.Passed or FidelityVerdict.Unchecked ? FidelityVerdict.Warned : verdict;
        }

        return new FidelityResult(verdict, summary);
    }

    static (FidelityVerdict, string) Functions(CodeChanges code, BenchmarkProfile? profile, string? whyNoProfile, string mode)
    {
        if (profile is { Coverage.Count: > 0 } && ByCoverage(code, profile, mode) is { } counted)
        {
            return counted;
        }

        if (code.Functions.Count == 0)
        {
            var why = code.UnsupportedFiles.Count > 0
                ? $"changed functions cannot be named in {code.UnsupportedFiles[0]} ({MappedLanguages} are mapped)"
                : code.Unattributed.Count > 0
                    ? $"the change at {code.Unattributed[0].Path}:{code.Unattributed[0].Line} belongs to no function"
                    : "the candidate changes no function";
            return (FidelityVerdict.Unchecked, why);
        }

        if (profile is null)
        {
            return (FidelityVerdict.Unchecked, whyNoProfile ?? "no profile of the benchmark");
        }

        // A profiler of one runtime cannot show another language's functions: those are not matched, and say why.
        var unseen = code.Functions.Where(f => !profile.Sees(f.Language)).ToList();
        var matches = code.Functions.Where(f => profile.Sees(f.Language)).Select(f => (Function: f, Match: profile.Runs(f))).ToList();
        var running = matches.Where(m => m.Match is not null).ToList();
        var coldFunctions = matches.Where(m => m.Match is null).Select(m => m.Function).ToList();
        var kind = BenchmarkProfile.Describe(profile.Format);
        if (running.Count > 0)
        {
            var named = string.Join(", ", running.Take(2).Select(m => $"{m.Function.DisplayName} ({m.Match!.How})"));
            var unmatched = Unmatched(coldFunctions, unseen, kind, profile.ProvesAbsence);
            return (FidelityVerdict.Passed, $"the benchmark runs {named}{(running.Count > 2 ? $" and {running.Count - 2} more" : "")}{(unmatched.Length > 0 ? $"; not matched: {unmatched}" : "")}");
        }

        if (coldFunctions.Count == 0)
        {
            return (FidelityVerdict.Unchecked, $"{Names(unseen)} cannot be matched: {kind} does not show {LanguageName(unseen[0].Language)} functions");
        }

        var cold = Names(coldFunctions);
        if (!profile.ProvesAbsence)
        {
            // No sample is not proof: a function that ran for less than a sampling interval leaves none, and a setup
            // function that runs once can still change what the hot code does. The benchmark decides instead.
            return (FidelityVerdict.Warned, $"{cold} not seen in {profile.Source}: {kind} only samples, so it cannot show that a function never ran; measured anyway");
        }

        if (code.Unattributed.Count > 0 || code.UnsupportedFiles.Count > 0 || unseen.Count > 0)
        {
            var other = code.Unattributed.Count > 0
                ? $"the change at {code.Unattributed[0].Path}:{code.Unattributed[0].Line} belongs to no function the profile could show"
                : code.UnsupportedFiles.Count > 0
                    ? $"the change to {code.UnsupportedFiles[0]} cannot be named"
                    : $"{Names(unseen)} cannot be matched ({kind} does not show {LanguageName(unseen[0].Language)} functions)";
            return (FidelityVerdict.Unchecked, $"{cold} never ran in {profile.Source}, but {other}");
        }

        var sentence = $"not exercised by the benchmark: {cold} never ran in it ({profile.Source})";
        return mode == FidelityModes.Warn ? (FidelityVerdict.Warned, sentence) : (FidelityVerdict.Failed, sentence);
    }

    /// <summary>
    /// The runtime counted which lines ran (Node.js: V8 coverage): a change is exercised when any line it replaces ran,
    /// whatever function it sits in, and certainly not when none did — no sampling gap, no inlining. Null when the
    /// coverage does not settle it (some changed file is not covered and nothing covered ran).
    /// </summary>
    static (FidelityVerdict, string)? ByCoverage(CodeChanges code, BenchmarkProfile profile, string mode)
    {
        var changes = code.Functions.Select(f => (Name: $"{f.DisplayName} ({f.Path})", f.Path, f.BaselineLines))
            .Concat(code.Unattributed.Select(u => (Name: $"the change at {u.Path}:{u.Line}", u.Path, u.BaselineLines)))
            .Select(c => (c.Name, Ran: c.BaselineLines is { } lines ? profile.Ran(c.Path, lines) : null))
            .ToList();
        var ran = changes.Where(c => c.Ran == true).Select(c => c.Name).ToList();
        if (ran.Count > 0)
        {
            return (FidelityVerdict.Passed, $"the benchmark runs {string.Join(", ", ran.Take(2))}{(ran.Count > 2 ? $" and {ran.Count - 2} more" : "")} (its lines ran, by the runtime's coverage count)");
        }

        if (changes.Count == 0 || changes.Any(c => c.Ran is null) || code.UnsupportedFiles.Count > 0)
        {
            return null;
        }

        var cold = string.Join(", ", changes.Take(3).Select(c => c.Name)) + (changes.Count > 3 ? $" and {changes.Count - 3} more" : "");
        var sentence = $"not exercised by the benchmark: {cold} never ran in it (no line of it ran, by the runtime's coverage count in {profile.Source})";
        return mode == FidelityModes.Warn ? (FidelityVerdict.Warned, sentence) : (FidelityVerdict.Failed, sentence);
    }

    /// <summary>The languages whose functions the check can name (<see cref="ChangedFunctions.LanguageOf"/>).</summary>
    public const string MappedLanguages = "C#, C/C++, Python, Java, Kotlin, Go, Rust, Fortran and JavaScript/TypeScript";

    static string Names(List<ChangedFunction> functions) =>
        string.Join(", ", functions.Take(3).Select(f => $"{f.DisplayName} ({f.Path})")) + (functions.Count > 3 ? $" and {functions.Count - 3} more" : "");

    /// <summary>"warm (bench.py) never ran; scan (ext.c) is C code, which a cProfile profile does not show".</summary>
    static string Unmatched(List<ChangedFunction> cold, List<ChangedFunction> unseen, string kind, bool provesAbsence)
    {
        var parts = new List<string>();
        if (cold.Count > 0)
        {
            parts.Add($"{Names(cold)} {(provesAbsence ? "never ran in it" : "not sampled")}");
        }

        if (unseen.Count > 0)
        {
            parts.Add($"{Names(unseen)} — {kind} does not show {LanguageName(unseen[0].Language)} functions");
        }

        return string.Join("; ", parts);
    }

    static string LanguageName(string language) => language switch
    {
        "c" => "C/C++",
        "csharp" => "C#",
        "javascript" => "JavaScript",
        "go" => "Go",
        _ => char.ToUpperInvariant(language[0]) + language[1..],
    };
}
