namespace Perfloop.Statistics;

/// <summary>
/// Candidate/baseline ratio with its confidence interval. <see cref="Low"/> is 0 and <see cref="High"/>
/// is +∞ when the pairs are too few to reach <see cref="ConfidenceLevel"/> at all.
/// </summary>
public sealed record RatioEstimate(double Ratio, double Low, double High, double ConfidenceLevel, int Pairs)
{
    public double DeltaPct => (Ratio - 1) * 100;

    public double LowPct => (Low - 1) * 100;

    public double HighPct => (High - 1) * 100;

    /// <summary>False when the interval is unbounded because the pairs are too few for the level.</summary>
    public bool IsBounded => Low > 0 && !double.IsPositiveInfinity(High);
}
