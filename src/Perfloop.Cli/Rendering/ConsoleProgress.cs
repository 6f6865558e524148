using System.Diagnostics;
using Perfloop.Compare;

namespace Perfloop.Cli.Rendering;

/// <summary>
/// Progress on stderr. On a terminal the pair count is rewritten in place with <c>\r</c>; in a log (CI, a
/// pipe) every stage is one plain line and pair counts appear at most every few seconds, so logs stay short.
/// </summary>
sealed class ConsoleProgress(TextWriter error, bool interactive) : ICompareProgress
{
    static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(5);
    readonly Stopwatch sinceLastLine = Stopwatch.StartNew();
    bool lineOpen;

    public static ConsoleProgress ForStandardError() => new(Console.Error, !Console.IsErrorRedirected);

    public void Stage(string description)
    {
        EndLine();
        error.WriteLine($"perfloop: {description}");
        error.Flush();
        sinceLastLine.Restart();
    }

    public void PairMeasured(int pairs, int maxPairs)
    {
        var text = $"  measured {pairs} pairs (at most {maxPairs})";
        if (interactive)
        {
            error.Write("\r" + text + "\u001b[K");
            lineOpen = true;
        }
        else if (sinceLastLine.Elapsed >= LogInterval)
        {
            error.WriteLine(text);
            sinceLastLine.Restart();
        }

        error.Flush();
    }

    /// <summary>Ends an in-place line so the next output starts on a fresh one.</summary>
    public void EndLine()
    {
        if (lineOpen)
        {
            error.WriteLine();
            lineOpen = false;
        }
    }
}
