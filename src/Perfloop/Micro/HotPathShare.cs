using System.Globalization;
using System.Text.RegularExpressions;
using Perfloop.Configuration;
using Perfloop.Fidelity;

namespace Perfloop.Micro;

/// <summary>
/// How much of the benchmark's profile a target holds, from the best source there is: the bottleneck ranking
/// (measured), else the target's <c>profileSharePct</c> in perfloop.json (the user's figure), else the candidate's
/// <c>Impact:</c> trailer such as "~40% of runtime" (the author's estimate). The evidence names the source.
/// </summary>
public static partial class HotPathShare
{
    public static HotPathEvidence Resolve(string target, BenchmarkProfile? profile, TargetSettings? settings, string impact, double requiredPct)
    {
        if (profile?.ShareOf(target) is { TotalPercent: { } measured } function)
        {
            return new HotPathEvidence(measured, requiredPct, $"measured: {function.Name} in {profile.Source}");
        }

        if (settings?.ProfileSharePct is { } configured)
        {
            return new HotPathEvidence(configured, requiredPct, $"targets[\"{settings.Name}\"].profileSharePct in {PerfloopConfig.FileName}");
        }

        if (ImpactPercent().Match(impact) is { Success: true } m
            && double.TryParse(m.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var estimated))
        {
            return new HotPathEvidence(estimated, requiredPct, $"the candidate's own estimate, Impact: {impact.Trim()}");
        }

        return new HotPathEvidence(null, requiredPct, profile is null
            ? "no profile ranking, no profileSharePct and no Impact estimate give the target's share"
            : $"the target is not in {profile.Source}, and no profileSharePct or Impact estimate gives its share");
    }

    [GeneratedRegex(@"(\d+(?:\.\d+)?)\s*%")]
    private static partial Regex ImpactPercent();
}

/// <summary>
/// Whether a target is on a confirmed hot path: its share of the benchmark's profile against the required share.
/// <see cref="Source"/> says which source decided (the bottleneck ranking, perfloop.json, or the candidate's Impact trailer).
/// </summary>
public sealed record HotPathEvidence(double? SharePct, double RequiredPct, string Source)
{
    public bool IsHot => SharePct is { } share && share >= RequiredPct;
}
