namespace Perfloop.Statistics;

/// <summary>
/// A group-sequential plan: the pair counts at which the interval is looked at, and the share of the overall
/// two-sided error budget <see cref="Alpha"/> each look spends (Bonferroni / union-bound alpha spending).
/// </summary>
/// <remarks>
/// Why a union bound rather than Pocock/O'Brien–Fleming boundaries or an anytime-valid confidence sequence:
/// each look's signed-rank interval is exact and distribution-free, so P(any look's interval misses the true
/// ratio) ≤ Σ alpha_look = Alpha holds whatever the correlation between looks — no normal approximation of
/// the rank statistic's path, and no sub-Gaussian assumption on run times (confidence sequences need one
/// and are wider at the small pair counts that matter here). The cost is some conservatism, bought back by
/// looking rarely (geometric schedule) and by spending most of the budget at the first look: the exact
/// signed-rank interval cannot exist at 6 pairs below 1 - 1/32 confidence, and a large effect should be
/// decided there. The final look spends whatever is left. A proposed look whose share the exact interval cannot
/// reach at its pair count (10 pairs at 0.13% in the default plan: the least it can reach is 2/1024) is left out
/// and its share carried to the next look, so no look is planned that could never decide.
/// </remarks>
/// <param name="MinPairs">First look; 6 is the fewest pairs whose exact interval can exclude anything at ~97%.</param>
/// <param name="MaxPairs">Last look; at this many pairs a verdict (possibly Inconclusive) is returned.</param>
/// <param name="Alpha">Overall two-sided error budget across all looks.</param>
/// <param name="FirstLookAlphaShare">Share of <see cref="Alpha"/> spent at the first look; later looks spend the rest in proportion to the pairs they add.</param>
/// <param name="LookGrowth">Each look has at least this many times the pairs of the previous one.</param>
/// <param name="BlockPairs">Pairs added per block (ABBA gives 2): looks fall on multiples of it.</param>
/// <param name="Deterministic">
/// The metric showed no variation at all in the A/A calibration (every run of each side gave the same value), fixed
/// before the A/B data: then the first block already ends the verdict when it reproduces that — every baseline run
/// equal and every candidate run equal — with the exact ratio (see <see cref="SequentialTest"/>). If any run differs,
/// the planned looks follow with their full alpha, as for any metric.
/// </param>
public sealed record SequentialDesign(
    int MinPairs = 6,
    int MaxPairs = 60,
    double Alpha = 0.05,
    double FirstLookAlphaShare = 0.65,
    double LookGrowth = 1.5,
    int BlockPairs = 2,
    bool Deterministic = false)
{
    /// <summary>
    /// The design for a metric whose A/A calibration is <paramref name="baseline"/> against <paramref name="candidate"/>:
    /// <see cref="Deterministic"/> when each side repeated one value on every run (at least 3 pairs), else unchanged.
    /// </summary>
    public SequentialDesign ForCalibration(IReadOnlyList<double> baseline, IReadOnlyList<double> candidate) =>
        this with { Deterministic = IsDeterministic(baseline, candidate) };

    /// <summary>
    /// How far apart a deterministic counter's runs may be: a part per million. callgrind's count of a shell program
    /// moved by 14 of 35,716,262 instructions between runs on CI (a pid with one more digit is formatted by more code);
    /// a thousandth of the least keep threshold, it cannot move a verdict.
    /// </summary>
    public const double DeterministicTolerance = 1e-6;

    /// <summary>
    /// Each side repeated one value on every run to within <see cref="DeterministicTolerance"/> (a deterministic counter
    /// repeats itself), at least 3 pairs. The two sides may differ slightly: two trees at paths of different lengths
    /// start a program with different environments, which a count of instructions sees; that difference is then part
    /// of every ratio, not noise.
    /// </summary>
    public static bool IsDeterministic(IReadOnlyList<double> baseline, IReadOnlyList<double> candidate)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(candidate);
        return baseline.Count >= 3 && candidate.Count >= 3 && Repeats(baseline) && Repeats(candidate);
    }

    /// <summary>Every value within <see cref="DeterministicTolerance"/> of the least (positive values; 0s only when all are 0).</summary>
    public static bool Repeats(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return false;
        }

        var (least, most) = (values.Min(), values.Max());
        return least == most || (least > 0 && (most - least) / least <= DeterministicTolerance);
    }

    /// <summary>The first pair count at which the test is worth evaluating: one block for a deterministic metric, else the first look.</summary>
    public int FirstEvaluationPairs => Deterministic ? Math.Min(BlockPairs, MinPairs) : MinPairs;

    /// <summary>The planned looks, as cumulative pair counts in increasing order; the last is <see cref="MaxPairs"/> rounded up to a block.</summary>
    public IReadOnlyList<int> Looks => [.. Plan().Select(look => look.Pairs)];

    /// <summary>Confidence level of the last planned look (what a run that reaches <see cref="MaxPairs"/> reports).</summary>
    public double FinalConfidenceLevel => ConfidenceLevelAtLook(Looks.Count);

    /// <summary>Two-sided alpha spent at planned look <paramref name="look"/> (1-based).</summary>
    public double AlphaAtLook(int look)
    {
        var plan = Plan();
        ArgumentOutOfRangeException.ThrowIfLessThan(look, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(look, plan.Count);
        return plan[look - 1].Alpha;
    }

    /// <summary>Confidence level of the interval at planned look <paramref name="look"/> (1-based).</summary>
    public double ConfidenceLevelAtLook(int look) => 1 - AlphaAtLook(look);

    /// <summary>
    /// Confidence level for a final look forced at <paramref name="pairs"/> (the time budget ran out): it may
    /// spend all alpha not spent by the planned looks before it, because no later look will happen.
    /// </summary>
    public double ForcedStopConfidenceLevel(int pairs)
    {
        var looks = Looks;
        var spent = 0.0;
        for (var look = 1; look <= looks.Count && looks[look - 1] < pairs; look++)
        {
            spent += AlphaAtLook(look);
        }

        return 1 - Math.Max(Alpha - spent, Alpha * 1e-6);
    }

    /// <summary>
    /// The looks with the alpha each spends. A candidate look whose alpha the exact signed-rank interval cannot reach
    /// at its pair count (it needs 2 / 2^pairs ≤ alpha) could never decide anything: it is left out and its alpha
    /// goes to the next look. The plan depends on the design alone, so it is still fixed before any data.
    /// </summary>
    List<(int Pairs, double Alpha)> Plan()
    {
        var looks = PlanLooks();
        var plan = new List<(int Pairs, double Alpha)>(looks.Count);
        var carried = 0.0;
        for (var i = 0; i < looks.Count; i++)
        {
            var alpha = AllocatedAlpha(looks, i) + carried;
            if (i < looks.Count - 1 && WilcoxonSignedRank.TrimCount(looks[i], alpha) == 0)
            {
                carried = alpha;
                continue;
            }

            plan.Add((looks[i], alpha));
            carried = 0;
        }

        return plan;
    }

    /// <summary>
    /// The first look gets <see cref="FirstLookAlphaShare"/>; the rest follows a linear spending function over the
    /// pairs after the first look: each look spends in proportion to the pairs it adds, so the final, most
    /// informative look gets the largest share.
    /// </summary>
    double AllocatedAlpha(List<int> looks, int index)
    {
        if (looks.Count == 1)
        {
            return Alpha;
        }

        if (index == 0)
        {
            return Alpha * FirstLookAlphaShare;
        }

        var added = looks[index] - looks[index - 1];
        var addedAfterFirst = looks[^1] - looks[0];
        return Alpha * (1 - FirstLookAlphaShare) * added / addedAfterFirst;
    }

    List<int> PlanLooks()
    {
        Validate();
        var last = RoundUpToBlock(Math.Max(MaxPairs, MinPairs));
        var looks = new List<int> { RoundUpToBlock(MinPairs) };
        while (looks[^1] < last)
        {
            var next = RoundUpToBlock(Math.Max(looks[^1] + BlockPairs, (int)Math.Ceiling(looks[^1] * LookGrowth)));
            // A look just short of the last one spends alpha for little information: merge it into the last.
            var nextAfter = next * (1 + ((LookGrowth - 1) / 2));
            looks.Add(next >= last || nextAfter > last ? last : next);
        }

        return looks;
    }

    int RoundUpToBlock(int pairs) => (pairs + BlockPairs - 1) / BlockPairs * BlockPairs;

    void Validate()
    {
        if (MinPairs < 1 || MaxPairs < 1 || BlockPairs < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MinPairs), "MinPairs, MaxPairs and BlockPairs must be positive.");
        }

        if (Alpha is <= 0 or >= 1 || double.IsNaN(Alpha))
        {
            throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "Must lie strictly between 0 and 1.");
        }

        if (FirstLookAlphaShare is <= 0 or > 1 || double.IsNaN(FirstLookAlphaShare))
        {
            throw new ArgumentOutOfRangeException(nameof(FirstLookAlphaShare), FirstLookAlphaShare, "Must lie in (0, 1].");
        }

        if (!(LookGrowth > 1))
        {
            throw new ArgumentOutOfRangeException(nameof(LookGrowth), LookGrowth, "Must be greater than 1.");
        }
    }
}
