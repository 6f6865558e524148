using Perfloop.Statistics;

namespace Perfloop.Tests.Statistics;

public class NoiseCalibrationTests
{
    [Fact]
    public void Noise_is_the_standard_deviation_of_a_pair_log_ratio()
    {
        // Each run has σ = 5% log noise, so a pair's log ratio has σ·√2 ≈ 7.07%: exp(0.0707) - 1 ≈ 7.3%.
        var (a1, a2) = SyntheticPairs.LogNormal(2000, 0.05, 1.0, seed: 9);

        var noise = NoiseCalibration.Calibrate(a1, a2, domainThresholdPct: 5);

        Assert.InRange(noise.NoisePct, 6.8, 7.9);
        Assert.Equal(noise.NoisePct * NoiseCalibration.DefaultK, noise.EffectiveThresholdPct, 10);
        Assert.Equal(2000, noise.Pairs);
    }

    [Fact]
    public void Quiet_machines_keep_the_domain_threshold()
    {
        var (a1, a2) = SyntheticPairs.LogNormal(20, 0.005, 1.0, seed: 4);

        var noise = NoiseCalibration.Calibrate(a1, a2, domainThresholdPct: 5, k: 2);

        Assert.Equal(5, noise.EffectiveThresholdPct);
        Assert.Equal(2, noise.K);
    }

    [Fact]
    public void Outliers_barely_move_the_noise()
    {
        var (a1, a2) = SyntheticPairs.LogNormal(40, 0.05, 1.0, seed: 12);
        var clean = NoiseCalibration.Calibrate(a1, a2, 5).NoisePct;
        a2[3] *= 3;
        a1[17] *= 3;

        var withOutliers = NoiseCalibration.Calibrate(a1, a2, 5).NoisePct;

        Assert.InRange(withOutliers / clean, 0.8, 1.3);
    }

    [Fact]
    public void Needs_at_least_three_pairs() =>
        Assert.Throws<ArgumentException>(() => NoiseCalibration.Calibrate([1, 2], [1, 2], 5));
}
