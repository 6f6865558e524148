using System.Text.RegularExpressions;

namespace Perfloop.Init;

/// <summary>A BenchmarkDotNet project found in a repository, with the benchmark classes it holds.</summary>
/// <param name="ProjectPath">The .csproj, relative to the repository root, with '/' separators.</param>
/// <param name="BenchmarkClasses">Names of classes with at least one [Benchmark] method, in file order.</param>
public sealed record BenchmarkDotNetProject(string ProjectPath, IReadOnlyList<string> BenchmarkClasses)
{
    /// <summary>Where BenchmarkDotNet writes its exports when run from the repository root (its default artifacts folder).</summary>
    public const string ResultsDirectory = "BenchmarkDotNet.Artifacts/results";

    /// <summary>
    /// The benchmark command to suggest: a Release run of the project filtered to its benchmark classes, with the JSON
    /// exporter (the loop reads the full JSON export BenchmarkDotNet writes to <c>BenchmarkDotNet.Artifacts/results</c>).
    /// </summary>
    public string SuggestedBench
    {
        get
        {
            var filter = BenchmarkClasses.Count == 1 ? $"*{BenchmarkClasses[0]}*" : "*";
            return $"dotnet run -c Release --project {ProjectPath} -- --filter '{filter}' --exporters json";
        }
    }
}

/// <summary>
/// Finds BenchmarkDotNet benchmarks in a repository: projects that reference the BenchmarkDotNet package and the
/// classes in their folder with [Benchmark] methods. Text scanning, not a build: init must be instant and work before
/// anything is restored.
/// </summary>
public static partial class BenchmarkDotNetDiscovery
{
    public static IReadOnlyList<BenchmarkDotNetProject> Find(string repositoryRoot)
    {
        var projects = new List<BenchmarkDotNetProject>();
        foreach (var project in Files(repositoryRoot, "*.csproj").Where(p => PackageReference().IsMatch(File.ReadAllText(p))))
        {
            var folder = Path.GetDirectoryName(project)!;
            var classes = Files(folder, "*.cs")
                .SelectMany(file => BenchmarkClasses(File.ReadAllText(file)))
                .Distinct(StringComparer.Ordinal)
                .ToList();
            projects.Add(new BenchmarkDotNetProject(Path.GetRelativePath(repositoryRoot, project).Replace('\\', '/'), classes));
        }

        return projects.OrderBy(p => p.ProjectPath, StringComparer.Ordinal).ToList();
    }

    /// <summary>The project a benchmark command runs with <c>dotnet run</c>, when it is one of <paramref name="projects"/>.</summary>
    public static BenchmarkDotNetProject? RunBy(IReadOnlyList<BenchmarkDotNetProject> projects, string benchCommand)
    {
        ArgumentNullException.ThrowIfNull(projects);
        if (benchCommand is null || !benchCommand.Contains("dotnet run", StringComparison.Ordinal))
        {
            return null;
        }

        return projects.FirstOrDefault(p => benchCommand.Contains(p.ProjectPath, StringComparison.Ordinal)
            || (Path.GetDirectoryName(p.ProjectPath) is { Length: > 0 } folder && benchCommand.Contains(folder.Replace('\\', '/'), StringComparison.Ordinal)));
    }

    /// <summary>Classes declaring a method marked [Benchmark] (or [Benchmark(...)]); comments and strings are not parsed, which is enough for a suggestion.</summary>
    internal static IEnumerable<string> BenchmarkClasses(string source)
    {
        var classes = ClassDeclaration().Matches(source).Select(m => (m.Index, Name: m.Groups["name"].Value)).ToList();
        foreach (Match attribute in BenchmarkAttribute().Matches(source))
        {
            var owner = classes.LastOrDefault(c => c.Index < attribute.Index);
            if (owner.Name is { Length: > 0 })
            {
                yield return owner.Name;
            }
        }
    }

    static IEnumerable<string> Files(string root, string pattern) =>
        Directory.EnumerateFiles(root, pattern, SearchOption.AllDirectories)
            .Where(path => !Path.GetRelativePath(root, path).Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj" or ".git" or ".perfloop" or "node_modules" or "BenchmarkDotNet.Artifacts"))
            .Order(StringComparer.Ordinal);

    [GeneratedRegex(@"<PackageReference\s+Include=""BenchmarkDotNet""", RegexOptions.IgnoreCase)]
    private static partial Regex PackageReference();

    [GeneratedRegex(@"\bclass\s+(?<name>[A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex ClassDeclaration();

    [GeneratedRegex(@"\[\s*(BenchmarkDotNet\.Attributes\.)?Benchmark(Attribute)?\s*(\(|\])")]
    private static partial Regex BenchmarkAttribute();
}
