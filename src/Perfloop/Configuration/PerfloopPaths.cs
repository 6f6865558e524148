namespace Perfloop.Configuration;

/// <summary>Where Perfloop keeps its state inside a repository.</summary>
public static class PerfloopPaths
{
    public const string StateDirectoryName = ".perfloop";

    public static string StateDirectory(string repositoryRoot) => Path.Combine(repositoryRoot, StateDirectoryName);

    public static string Results(string repositoryRoot) => Path.Combine(StateDirectory(repositoryRoot), "results.tsv");

    public static string Experiment(string repositoryRoot, int number) =>
        Path.Combine(StateDirectory(repositoryRoot), "experiments", number.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>
    /// Where a baseline row keeps its A/A samples and methodology. A baseline row carries the number of the experiment
    /// before it, so it gets a folder inside that experiment's; rows written before that rule had a number of their own.
    /// </summary>
    public static string Baseline(string repositoryRoot, int number)
    {
        var own = Path.Combine(Experiment(repositoryRoot, number), "baseline");
        return Directory.Exists(own) || !File.Exists(Path.Combine(Experiment(repositoryRoot, number), "methodology.json")) ? own : Experiment(repositoryRoot, number);
    }

    public static string Oracles(string repositoryRoot, string commit) =>
        Path.Combine(StateDirectory(repositoryRoot), "oracles", commit);
}
