namespace Perfloop.Statistics;

/// <summary>
/// Noise of one pair measured on an A/A run, and the threshold the loop should use:
/// EffectiveThresholdPct = max(domain threshold, K × NoisePct).
/// </summary>
public sealed record NoiseEstimate(double NoisePct, double EffectiveThresholdPct, double K, int Pairs);
