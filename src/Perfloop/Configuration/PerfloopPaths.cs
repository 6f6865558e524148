namespace Perfloop.Configuration;

/// <summary>Where Perfloop keeps its state inside a repository.</summary>
public static class PerfloopPaths
{
    public const string StateDirectoryName = ".perfloop";

    public static string StateDirectory(string repositoryRoot) => Path.Combine(repositoryRoot, StateDirectoryName);

    public static string Results(string repositoryRoot) => Path.Combine(StateDirectory(repositoryRoot), "results.tsv");

    public static string Experiment(string repositoryRoot, int number) =>
        Path.Combine(StateDirectory(repositoryRoot), "experiments", number.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static string Oracles(string repositoryRoot, string commit) =>
        Path.Combine(StateDirectory(repositoryRoot), "oracles", commit);
}
