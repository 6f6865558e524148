namespace Perfloop.Experiments;

/// <summary>Where the loop tells the user what it is doing; the CLI decides how lines look.</summary>
public interface ILoopReporter
{
    /// <summary>A status line of the spec (<c>[experiment N] …</c>), always shown.</summary>
    void Status(string line);

    /// <summary>A supporting detail (paths, timings); shown less prominently.</summary>
    void Detail(string line);
}
