namespace Perfloop.Statistics;

/// <summary>
/// One evaluation of the sequential test. <see cref="Look"/> is the 1-based planned look that was spent, or 0
/// when the pair count was not a look (then <see cref="Result"/> is only a progress indication).
/// </summary>
public sealed record SequentialStep(bool Stop, VerdictResult Result, int Look, string Why);
