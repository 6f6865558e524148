namespace Perfloop.Statistics;

/// <summary>What the ratio interval says relative to the threshold.</summary>
public enum Verdict
{
    /// <summary>The whole interval lies beyond the threshold in the good direction.</summary>
    Improved,

    /// <summary>The whole interval lies beyond the threshold in the bad direction.</summary>
    Regressed,

    /// <summary>The whole interval lies inside ±threshold.</summary>
    Equivalent,

    /// <summary>The interval straddles a threshold: more pairs are needed.</summary>
    Inconclusive,
}
