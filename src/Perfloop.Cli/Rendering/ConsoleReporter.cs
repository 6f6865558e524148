using System.Diagnostics;
using Perfloop.Errors;
using Perfloop.Reporting;

namespace Perfloop.Cli.Rendering;

/// <summary>
/// Status lines of the spec go to stdout as they are; details go to stderr, indented, so stdout stays the loop's story.
/// Progress (what a long step is doing, how many pairs, how long) is one live line on stderr when it is a terminal,
/// redrawn every second and cleared before any other line; in a log it is a plain line every 30 seconds of a long step.
/// </summary>
sealed class ConsoleReporter : ILoopReporter, IDisposable
{
    static readonly TimeSpan LogEvery = TimeSpan.FromSeconds(30);

    readonly TextWriter output;
    readonly TextWriter details;
    readonly bool live;
    readonly Lock gate = new();
    readonly Timer? ticker;
    LoopProgress? current;
    readonly Stopwatch sincePhase = new();
    readonly Stopwatch sinceLogged = new();
    bool lineShown;

    public ConsoleReporter(TextWriter output, TextWriter details, bool live = false)
    {
        this.output = output;
        this.details = details;
        this.live = live;
        ticker = new Timer(_ => Tick(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>The reporter for this process: a live progress line only when stderr is a terminal.</summary>
    public static ConsoleReporter ForConsole(bool machineOutput) =>
        new(machineOutput ? Console.Error : Console.Out, Console.Error, live: !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("TERM") is not (null or "dumb"));

    public void Status(string line)
    {
        lock (gate)
        {
            ClearLine(endStep: true);
            output.WriteLine(Mention.ForCommandLine(line));
            output.Flush();
        }
    }

    public void Detail(string line)
    {
        lock (gate)
        {
            // A detail (a look without a verdict, say) interrupts the line; the step goes on and the line comes back.
            ClearLine(endStep: false);
            details.WriteLine("  " + Mention.ForCommandLine(line));
            details.Flush();
        }
    }

    public void Progress(LoopProgress progress)
    {
        lock (gate)
        {
            if (current is null || current.Where != progress.Where || current.Phase != progress.Phase)
            {
                sincePhase.Restart();
                sinceLogged.Restart();
            }

            current = progress;
            if (live)
            {
                Draw();
            }
        }
    }

    void Tick()
    {
        lock (gate)
        {
            if (current is null)
            {
                return;
            }

            if (live)
            {
                Draw();
            }
            else if (sincePhase.Elapsed >= LogEvery && sinceLogged.Elapsed >= LogEvery)
            {
                details.WriteLine("  " + Describe(current));
                details.Flush();
                sinceLogged.Restart();
            }
        }
    }

    string Describe(LoopProgress progress)
    {
        var pairs = progress.Pairs is { } done ? $" — {done}{(progress.MaxPairs is { } max ? $" of at most {max}" : "")} pairs" : "";
        var elapsed = sincePhase.Elapsed;
        return $"{progress.Where} {progress.Phase}{pairs} — {(int)elapsed.TotalMinutes}:{elapsed.Seconds:00}";
    }

    void Draw()
    {
        details.Write("\r" + Describe(current!) + "\u001b[K");
        details.Flush();
        lineShown = true;
    }

    void ClearLine(bool endStep)
    {
        // A status line ends the step the progress line was about.
        if (endStep)
        {
            current = null;
        }

        if (lineShown)
        {
            details.Write("\r\u001b[K");
            details.Flush();
            lineShown = false;
        }
    }

    public void Dispose()
    {
        ticker?.Dispose();
        lock (gate)
        {
            ClearLine(endStep: true);
        }
    }
}
