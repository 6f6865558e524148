using Perfloop.Experiments;

namespace Perfloop.Cli.Rendering;

/// <summary>Machine output on stdout alone, in the shape <see cref="ReportJson"/> defines.</summary>
static class JsonOutput
{
    public static void Write<T>(T value)
    {
        Console.Out.WriteLine(Errors.Mention.ForCommandLine(ReportJson.Serialize(value)));
        Console.Out.Flush();
    }
}
