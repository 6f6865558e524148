using Perfloop.Configuration;
using Perfloop.Domains;

namespace Perfloop.Measurement;

/// <summary>
/// The keep threshold before any calibration: perfloop.json's <c>thresholds.keepPct</c>, else the domain's. Every
/// comparison that has no calibrated threshold (compare, calibrate, the methodology a baseline fixes) takes it from here;
/// a session's effective threshold is max(this, k × A/A noise), fixed by its baseline row.
/// </summary>
public static class KeepThreshold
{
    public static double Configured(PerfloopConfig config, Domain domain)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(domain);
        return config.Thresholds.KeepPct ?? domain.KeepThresholdPct;
    }
}
