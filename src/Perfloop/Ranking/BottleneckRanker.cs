namespace Perfloop.Ranking;

/// <summary>What to rank and the context the ranking records for staleness checks.</summary>
/// <param name="Profile">The profile read from the file.</param>
/// <param name="ProfilePath">The profile file, recorded for staleness checks.</param>
/// <param name="ProfileModifiedAt">When the profile file was written.</param>
/// <param name="RepositoryRoot">Tells the repository's code from code outside it; <c>null</c> to judge by names only.</param>
public sealed record RankingInput(Profile Profile, string ProfilePath, DateTimeOffset ProfileModifiedAt, string? RepositoryRoot)
{
    public string? HeadSha { get; init; }

    public DateTimeOffset? HeadCommittedAt { get; init; }

    public DateTimeOffset CreatedAt { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>How many functions the ranking keeps (targets are never cut before outside code is).</summary>
    public int MaxFunctions { get; init; } = 200;
}

/// <summary>
/// Turns a profile into the ranked bottleneck list. Pure: the same input gives the same ranking.
/// </summary>
/// <remarks>
/// Order: the repository's code first, by own time (<see cref="RankedFunction.OwnPercent"/>: what a change to
/// that function can remove), then by total time; outside code after it, by self time. Own time is the measure
/// because a function that spends its time in List.FindIndex or strcmp is where the fix goes, though its self
/// time is small.
/// </remarks>
public static class BottleneckRanker
{
    public static BottleneckRanking Rank(RankingInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var profile = input.Profile;
        var grandTotal = profile.TotalWeight;
        if (grandTotal <= 0)
        {
            throw new ArgumentException("The profile has no weight to rank.", nameof(input));
        }

        // One function per (name, file, module); a .NET module may differ only in letter case.
        var functionOf = new int[profile.Frames.Count];
        var functions = new List<ProfileFrame>();
        var byKey = new Dictionary<(string, string?, string?), int>();
        for (var i = 0; i < profile.Frames.Count; i++)
        {
            var frame = profile.Frames[i];
            var key = (frame.Name, frame.File, frame.Module?.ToUpperInvariant());
            if (!byKey.TryGetValue(key, out var id))
            {
                id = functions.Count;
                functions.Add(frame);
                byKey.Add(key, id);
            }
            functionOf[i] = id;
        }

        var reasons = functions.Select(f => CodeOwnership.WhyNotOptimizable(f, input.RepositoryRoot)).ToArray();
        var self = new double[functions.Count];
        var total = new double[functions.Count];
        var own = new double[functions.Count];
        var calleeCategories = new Dictionary<string, double>?[functions.Count];
        var seenInSample = new int[functions.Count];
        var stamp = 0;

        foreach (var sample in profile.Samples)
        {
            stamp++;
            var weight = sample.Weight;
            var leaf = functionOf[sample.Frames[^1]];
            self[leaf] += weight;
            foreach (var frame in sample.Frames)
            {
                var function = functionOf[frame];
                if (seenInSample[function] == stamp)
                {
                    continue; // recursion: a function counts once per sample in its total
                }

                seenInSample[function] = stamp;
                total[function] += weight;
            }

            var owner = InnermostOptimizable(sample.Frames, functionOf, reasons);
            if (owner < 0)
            {
                own[leaf] += weight;
                continue;
            }
            own[owner] += weight;
            if (owner != leaf && FunctionCategories.FromName(NameAndFile(functions[leaf])) is { } calleeCategory)
            {
                var categories = calleeCategories[owner] ??= [];
                categories[calleeCategory] = categories.GetValueOrDefault(calleeCategory) + weight;
            }
        }

        if (profile.InclusiveWeights is { } measured)
        {
            // The profiler's own inclusive figures: exact where stacks rebuilt from a call graph are not.
            Array.Clear(total);
            for (var frame = 0; frame < measured.Count && frame < functionOf.Length; frame++)
            {
                total[functionOf[frame]] += measured[frame];
            }

            for (var f = 0; f < total.Length; f++)
            {
                total[f] = Math.Clamp(total[f], self[f], grandTotal);
            }
        }

        double Percent(double value) => 100.0 * value / grandTotal;
        var ranked = Enumerable.Range(0, functions.Count)
            .Where(f => total[f] > 0)
            .OrderByDescending(f => reasons[f] is null)
            .ThenByDescending(f => reasons[f] is null ? own[f] : self[f])
            .ThenByDescending(f => total[f])
            .ThenBy(f => functions[f].Name, StringComparer.Ordinal)
            .Take(input.MaxFunctions)
            .Select((f, index) =>
            {
                var share = total[f] / grandTotal;
                return new RankedFunction(
                    index + 1,
                    functions[f].Name,
                    RelativeFile(functions[f].File, input.RepositoryRoot),
                    functions[f].Module,
                    Percent(self[f]),
                    Percent(total[f]),
                    Percent(own[f]),
                    Category(NameAndFile(functions[f]), calleeCategories[f]),
                    AmdahlBound(share),
                    reasons[f] is null,
                    reasons[f]);
            })
            .ToList();

        var info = new ProfileInfo(input.ProfilePath, profile.Format, input.ProfileModifiedAt, profile.Unit, grandTotal, profile.Samples.Count, profile.Notes);
        return new BottleneckRanking(BottleneckRanking.SchemaVersion, input.CreatedAt, input.HeadSha, input.HeadCommittedAt, info, ranked, profile.Runtime)
        {
            Coverage = profile.Coverage?.Select(c => c with { File = RelativeFile(c.File, input.RepositoryRoot) ?? c.File }).ToList(),
            CalledMethods = profile.CalledMethods,
        };
    }

    /// <summary>
    /// Amdahl's law with the function's part removed entirely: 1/(1 − share). An upper bound — no change makes
    /// a function cost nothing; <c>null</c> when the share is 100% (no finite bound).
    /// </summary>
    public static double? AmdahlBound(double inclusiveShare)
    {
        if (inclusiveShare is < 0 or > 1 || double.IsNaN(inclusiveShare))
        {
            throw new ArgumentOutOfRangeException(nameof(inclusiveShare), inclusiveShare, "A share of the profile lies in [0, 1].");
        }

        return inclusiveShare >= 1 - 1e-12 ? null : 1 / (1 - inclusiveShare);
    }

    /// <summary>The category its name (and file) says; else the category of the outside code it spends its time in; else compute.</summary>
    internal static string Category(string name, Dictionary<string, double>? calleeCategories) =>
        FunctionCategories.FromName(name)
        ?? calleeCategories?.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Select(c => c.Key).FirstOrDefault()
        ?? FunctionCategories.Compute;

    /// <summary>The file helps the guess where names are short: py-spy's "loads" lives in json/__init__.py.</summary>
    static string NameAndFile(ProfileFrame frame) => frame.File is null ? frame.Name : $"{frame.Name} ({frame.File})";

    static int InnermostOptimizable(IReadOnlyList<int> frames, int[] functionOf, string?[] reasons)
    {
        for (var i = frames.Count - 1; i >= 0; i--)
        {
            var function = functionOf[frames[i]];
            if (reasons[function] is null)
            {
                return function;
            }
        }
        return -1;
    }

    static string? RelativeFile(string? file, string? repositoryRoot)
    {
        if (file is null || repositoryRoot is null || !Path.IsPathRooted(file) || !CodeOwnership.IsInside(file, repositoryRoot))
        {
            return file;
        }

        return Path.GetRelativePath(repositoryRoot, file).Replace('\\', '/');
    }
}
