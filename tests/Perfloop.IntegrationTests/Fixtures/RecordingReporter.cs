using Perfloop.Experiments;

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

    public void Detail(string line)
    {
    }
}
