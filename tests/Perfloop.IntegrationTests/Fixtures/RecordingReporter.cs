using Perfloop.Reporting;

namespace Perfloop.IntegrationTests.Fixtures;

public sealed class RecordingReporter : ILoopReporter
{
    readonly List<string> lines = [];

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (lines)
            {
                return [.. lines];
            }
        }
    }

    public void Status(string line)
    {
        lock (lines)
        {
            lines.Add(line);
        }
    }

    readonly List<string> details = [];

    /// <summary>The supporting detail lines, kept apart so tests of the status lines see exactly those.</summary>
    public IReadOnlyList<string> Details
    {
        get
        {
            lock (details)
            {
                return [.. details];
            }
        }
    }

    public void Detail(string line)
    {
        lock (details)
        {
            details.Add(line);
        }
    }
}
