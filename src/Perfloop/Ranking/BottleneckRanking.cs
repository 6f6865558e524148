namespace Perfloop.Ranking;

/// <summary>
/// The ranked bottleneck list, as written to <c>.perfloop/bottlenecks.json</c> (schema
/// <see cref="SchemaVersion"/>, documented in docs/json-schemas-ranking.md).
/// </summary>
/// <param name="Schema">Always <see cref="SchemaVersion"/>.</param>
/// <param name="CreatedAt">When the ranking was made.</param>
/// <param name="HeadSha">The commit the ranking was made at; null outside git.</param>
/// <param name="HeadCommittedAt">That commit's time, to tell a profile older than it.</param>
/// <param name="Profile">The profile it was built from.</param>
/// <param name="Functions">Every function seen, best target first (see <see cref="BottleneckRanker"/> for the order).</param>
/// <param name="Runtime">GC and allocation signals of a .NET trace; null for other formats.</param>
public sealed record BottleneckRanking(
    string Schema,
    DateTimeOffset CreatedAt,
    string? HeadSha,
    DateTimeOffset? HeadCommittedAt,
    ProfileInfo Profile,
    IReadOnlyList<RankedFunction> Functions,
    RuntimeSignals? Runtime)
{
    public const string SchemaVersion = "perfloop.bottlenecks/v1";

    public const string ImpactNote =
        "amdahlBound is an upper bound: the whole-program speedup if the function's inclusive time fell to zero, 1/(1 - totalPercent/100); null when the function is on every sample (no finite bound).";

    /// <summary>Repeated in the file so a reader needs no documentation to read the impact figure right.</summary>
#pragma warning disable CA1822 // an instance property so the JSON carries the note
    public string Impact => ImpactNote;
#pragma warning restore CA1822

    /// <summary>Which lines of the repository's files ran in the profiled run, when the runtime counted it (fidelity reads it); else null.</summary>
    public IReadOnlyList<FileCoverage>? Coverage { get; init; }

    /// <summary>Every method of the program called during the profiled run, when the runtime listed them (fidelity reads it); else null.</summary>
    public IReadOnlyList<string>? CalledMethods { get; init; }

    /// <summary>Functions of the repository's own code, best first: what the loop may choose as a target.</summary>
    public IEnumerable<RankedFunction> Targets => Functions.Where(f => f.Optimizable);

    /// <summary>The profile was written before the commit the ranking was made at: it measured older code.</summary>
    public bool ProfilePredatesHead => HeadCommittedAt is { } head && Profile.ModifiedAt < head;

    /// <summary>
    /// Whether the ranking must be rebuilt before choosing a target: the profile predates the commit it was
    /// ranked at, or — once HEAD has moved on — a commit since then (a KEEP) touched ranked code.
    /// </summary>
    /// <param name="headSha">The current HEAD.</param>
    /// <param name="filesTouchedSinceRanking">Repository-relative paths changed between <see cref="HeadSha"/> and <paramref name="headSha"/>.</param>
    public bool IsStale(string headSha, IReadOnlyCollection<string> filesTouchedSinceRanking)
    {
        ArgumentNullException.ThrowIfNull(filesTouchedSinceRanking);
        if (ProfilePredatesHead)
        {
            return true;
        }

        if (string.Equals(headSha, HeadSha, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return filesTouchedSinceRanking.Any(TouchesRankedCode);
    }

    /// <summary>
    /// A touched file is ranked code when a target's recorded file is that file, or — for profiles that name no
    /// files (.NET traces) — when the file's name without extension is a segment of a target's name
    /// ("src/WordCounter.cs" and "Demo.WordCounter.Count").
    /// </summary>
    public bool TouchesRankedCode(string touchedFile)
    {
        var touched = NormalizePath(touchedFile);
        var stem = Path.GetFileNameWithoutExtension(touched);
        foreach (var target in Targets)
        {
            if (target.File is { } file)
            {
                var ranked = NormalizePath(file);
                if (ranked == touched || ranked.EndsWith("/" + touched, StringComparison.Ordinal) || touched.EndsWith("/" + ranked, StringComparison.Ordinal))
                {
                    return true;
                }
            }
            else if (stem.Length > 0 && NameSegments(target.Function).Contains(stem, StringComparer.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    static string NormalizePath(string path) => path.Replace('\\', '/').TrimStart('.', '/');

    static string[] NameSegments(string function) =>
        function.Split(['.', '+', ':', '/', '<', '>', '`', '[', ']', ' '], StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>Where the ranking's data came from.</summary>
/// <param name="Path">The profile file.</param>
/// <param name="Format">Its format.</param>
/// <param name="ModifiedAt">When it was written.</param>
/// <param name="Unit">What weights count (samples, a time unit, bytes).</param>
/// <param name="TotalWeight">Sum of all ranked samples' weights, in <paramref name="Unit"/>.</param>
/// <param name="StackCount">Distinct stacks read (identical stacks are merged, their weights added).</param>
/// <param name="Notes">What the reader left out, and why.</param>
public sealed record ProfileInfo(string Path, ProfileFormat Format, DateTimeOffset ModifiedAt, string Unit, double TotalWeight, int StackCount, IReadOnlyList<string> Notes)
{
    /// <summary>The total as a reader takes it in: time in ms whatever unit the profiler counted in ("826 ms"), else "235 samples".</summary>
    public string TotalInWords() => WeightInWords(TotalWeight, Unit);

    /// <summary>A weight in <paramref name="unit"/> as <see cref="TotalInWords"/> writes it.</summary>
    public static string WeightInWords(double weight, string unit) => unit switch
    {
        "nanoseconds" => Milliseconds(weight / 1e6),
        "microseconds" => Milliseconds(weight / 1e3),
        "milliseconds" => Milliseconds(weight),
        _ => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{weight:0.###} {unit}"),
    };

    static string Milliseconds(double value) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{value:0.#} ms");
}

/// <summary>One function of the profile.</summary>
/// <param name="Rank">1 for the best target.</param>
/// <param name="Function">Display name.</param>
/// <param name="File">Source file when the profile names one (repository-relative when inside the repository).</param>
/// <param name="Module">Binary it lives in, when known.</param>
/// <param name="SelfPercent">Share of samples where it is the leaf (running its own code).</param>
/// <param name="TotalPercent">Share of samples where it is anywhere on the stack (inclusive; recursion counted once).</param>
/// <param name="OwnPercent">For the repository's code: share of samples where it is the innermost frame of the repository's code — its self time plus time in outside code it calls (List.FindIndex called by WordCounter.Count counts for WordCounter.Count). For outside code: its self time.</param>
/// <param name="Category">A guess at the kind of work (see <see cref="FunctionCategories"/>).</param>
/// <param name="AmdahlBound">Upper bound on the whole-program speedup if its inclusive time went to zero: 1/(1 − total share); null when total share is 100%.</param>
/// <param name="Optimizable">Code of the repository, which a change can make faster.</param>
/// <param name="NotOptimizableReason">Why not, when <paramref name="Optimizable"/> is false.</param>
public sealed record RankedFunction(
    int Rank,
    string Function,
    string? File,
    string? Module,
    double SelfPercent,
    double TotalPercent,
    double OwnPercent,
    string Category,
    double? AmdahlBound,
    bool Optimizable,
    string? NotOptimizableReason);
