using Perfloop.Errors;
using Perfloop.Experiments;

namespace Perfloop.Cli.Rendering;

/// <summary>Status lines of the spec go to stdout as they are; details go to stderr, indented, so stdout stays the loop's story.</summary>
sealed class ConsoleReporter(TextWriter output, TextWriter details) : ILoopReporter
{
    public void Status(string line)
    {
        output.WriteLine(Mention.ForCommandLine(line));
        output.Flush();
    }

    public void Detail(string line)
    {
        details.WriteLine("  " + Mention.ForCommandLine(line));
        details.Flush();
    }
}
