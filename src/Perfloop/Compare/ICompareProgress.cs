using Perfloop.Measurement;

namespace Perfloop.Compare;

/// <summary>Progress of a comparison: the stage it is in (checkout, build, benchmark) and each measured pair.</summary>
public interface ICompareProgress : IMeasurementProgress
{
    /// <summary>A new stage began; <paramref name="description"/> is a short line such as "building base a1b2c3d4e5f6".</summary>
    void Stage(string description);
}
