using System.Globalization;
using System.Text.RegularExpressions;

namespace Perfloop.Configuration;

/// <summary>
/// Slurm's time format for <c>--time</c>: <c>M</c>, <c>M:S</c>, <c>H:M:S</c>, <c>D-H</c>, <c>D-H:M</c>, <c>D-H:M:S</c>
/// (sbatch(1), "-t, --time"). Slurm enforces limits at minute granularity, rounding seconds up.
/// </summary>
public static partial class SlurmTimeLimit
{
    /// <summary>The duration <paramref name="text"/> stands for, or null when it is not in Slurm's format or not positive.</summary>
    public static TimeSpan? Parse(string? text)
    {
        if (text is null || Format().Match(text.Trim()) is not { Success: true } match)
        {
            return null;
        }

        static int Number(Group group) => group.Success ? int.Parse(group.Value, CultureInfo.InvariantCulture) : 0;

        TimeSpan duration;
        if (match.Groups["days"].Success)
        {
            // D-H, D-H:M, D-H:M:S
            duration = new TimeSpan(Number(match.Groups["days"]), Number(match.Groups["dh"]), Number(match.Groups["dm"]), Number(match.Groups["ds"]));
        }
        else if (match.Groups["h"].Success)
        {
            duration = new TimeSpan(Number(match.Groups["h"]), Number(match.Groups["m3"]), Number(match.Groups["s3"]));
        }
        else
        {
            // M or M:S
            duration = TimeSpan.FromMinutes(Number(match.Groups["m"])) + TimeSpan.FromSeconds(Number(match.Groups["s"]));
        }

        return duration > TimeSpan.Zero ? duration : null;
    }

    /// <summary>The limit Slurm actually enforces: seconds rounded up to whole minutes.</summary>
    public static TimeSpan Enforced(TimeSpan limit) => TimeSpan.FromMinutes(Math.Ceiling(limit.TotalMinutes));

    [GeneratedRegex(@"^(?:(?<days>\d{1,4})-(?<dh>\d{1,2})(?::(?<dm>\d{1,2})(?::(?<ds>\d{1,2}))?)?|(?<h>\d{1,5}):(?<m3>\d{1,2}):(?<s3>\d{1,2})|(?<m>\d{1,7})(?::(?<s>\d{1,2}))?)$", RegexOptions.CultureInvariant)]
    private static partial Regex Format();
}
