namespace Perfloop.Reporting;

/// <summary>Where the loop tells the user what it is doing; the front end decides how lines look.</summary>
public interface ILoopReporter
{
    /// <summary>A status line of the spec (<c>[experiment N] …</c>), always shown.</summary>
    void Status(string line);

    /// <summary>A supporting detail (paths, timings); shown less prominently.</summary>
    void Detail(string line);

    /// <summary>
    /// Where a long step stands (building, benchmarking with its pair count, the guard…), for a front end that shows a
    /// live progress line; nothing by default. Many calls may come; none is a status line.
    /// </summary>
    void Progress(LoopProgress progress)
    {
    }
}

/// <summary>
/// What the loop is doing now: <see cref="Where"/> is "[experiment N]" or "[baseline]", <see cref="Phase"/> a few words
/// ("building", "benchmarking", "running the guard"), and for a measurement the pairs so far out of at most how many.
/// </summary>
public sealed record LoopProgress(string Where, string Phase, int? Pairs = null, int? MaxPairs = null);
