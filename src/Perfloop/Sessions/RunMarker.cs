using System.Text.Json;
using Perfloop.Configuration;
using Perfloop.Implementers;
using Perfloop.Journal;
using Perfloop.Storage;

namespace Perfloop.Sessions;

/// <summary>
/// <c>.perfloop/run.json</c>: which candidate source a <c>run</c> works through and the first experiment number
/// it used. It is written when the run starts and removed when the run ends normally, so when a run is started
/// again over the same candidates after a kill, Ctrl-C or error, it resumes: candidates already recorded by the
/// interrupted run (experiment rows numbered from <see cref="FirstExperiment"/> with the same summary — a patch's
/// Subject; the target may have been filled in from the ranking) are skipped, not tried twice.
/// </summary>
public sealed record RunMarker(string CandidateSource, int FirstExperiment, DateTimeOffset StartedAt)
{
    public static string PathIn(string repositoryRoot) => Path.Combine(PerfloopPaths.StateDirectory(repositoryRoot), "run.json");

    public static RunMarker? Load(string repositoryRoot)
    {
        var path = PathIn(repositoryRoot);
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<RunMarker>(File.ReadAllText(path), JsonFormats.State) : null;
        }
        catch (JsonException)
        {
            // A damaged marker only costs the resume: the run starts over the candidates from the first one.
            return null;
        }
    }

    public void Save(string repositoryRoot)
    {
        var path = PathIn(repositoryRoot);
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, JsonFormats.State));
    }

    public static void Delete(string repositoryRoot)
    {
        if (File.Exists(PathIn(repositoryRoot)))
        {
            File.Delete(PathIn(repositoryRoot));
        }
    }

    /// <summary>The candidates the interrupted run already recorded, by summary, with multiplicity.</summary>
    public CandidateTally Recorded(IEnumerable<ResultRow> rows) =>
        new(rows.Where(r => r.Experiment >= FirstExperiment && r.IsExperiment).Select(r => r.Summary));
}

/// <summary>A multiset of candidates by summary: two patches with the same subject count twice.</summary>
public sealed class CandidateTally(IEnumerable<string> recordedSummaries)
{
    readonly Dictionary<string, int> counts = recordedSummaries.GroupBy(c => c, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    /// <summary>True (and one occurrence used up) when <paramref name="candidate"/> was recorded.</summary>
    public bool TryConsume(CandidateInfo candidate)
    {
        if (counts.GetValueOrDefault(candidate.Summary) is > 0 and var count)
        {
            counts[candidate.Summary] = count - 1;
            return true;
        }

        return false;
    }
}
