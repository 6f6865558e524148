using Perfloop.Implementers.Knobs;

namespace Perfloop.Cli.Rendering;

/// <summary>What the knob explorer is about to try, and what it leaves out and why (stderr: progress, not data).</summary>
static class KnobLines
{
    public static void WritePlan(TextWriter error, KnobExplorer explorer)
    {
        error.WriteLine($"[knobs] {explorer.Candidates.Count} settings to try in {explorer.ProjectFile}: {string.Join(", ", explorer.Candidates.Select(c => $"{c.Knob.Name}={c.Knob.TryValue}"))}");
        foreach (var skipped in explorer.Skipped)
        {
            error.WriteLine($"[knobs] skipped {skipped}");
        }
    }
}
