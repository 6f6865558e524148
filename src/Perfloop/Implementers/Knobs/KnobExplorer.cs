using System.Text.Json;
using System.Text.RegularExpressions;
using Perfloop.Configuration;
using Perfloop.Errors;

namespace Perfloop.Implementers.Knobs;

/// <summary>One knob to try: the knob, the file it is written to, and the value it has now.</summary>
public sealed record KnobCandidate(RuntimeKnob Knob, string ProjectFile, string CurrentValue)
{
    public const string Strategy = "runtime-knobs";

    public CandidateInfo ToCandidate(string repositoryRoot) => new(
        $"{Knob.Summary} ({Knob.Name}={Knob.TryValue} in {Relative(repositoryRoot)})",
        $"{Relative(repositoryRoot)} runtime settings",
        Strategy,
        Strategy,
        $"{Knob.Area} setting; effect measured, not estimated");

    string Relative(string root) => Path.GetRelativePath(root, ProjectFile).Replace('\\', '/');
}

/// <summary>
/// The <c>knobs</c> implementer: each candidate sets one .NET runtime/build setting in the project the benchmark
/// builds, as a one-line edit of the project file. The loop judges it like any change (oracle, benchmark, guard) and
/// commits it when it wins, so later knobs are tried on top of the kept ones.
/// </summary>
public sealed class KnobExplorer : IImplementer
{
    readonly string root;
    readonly List<KnobCandidate> candidates;
    int position;

    KnobExplorer(string root, List<KnobCandidate> candidates, IReadOnlyList<string> skipped, string projectFile)
    {
        this.root = root;
        this.candidates = candidates;
        Skipped = skipped;
        ProjectFile = projectFile;
    }

    /// <summary>The project file the knobs are written to.</summary>
    public string ProjectFile { get; }

    /// <summary>Knobs not tried, each with why (already set, not honest for this build, not this domain).</summary>
    public IReadOnlyList<string> Skipped { get; }

    public IReadOnlyList<KnobCandidate> Candidates => candidates;

    public int MaxReworks => 0;

    /// <summary>Plans the knobs for the repository at <paramref name="repositoryRoot"/> from its perfloop.json.</summary>
    public static KnobExplorer Plan(string repositoryRoot)
    {
        var config = ConfigStore.Load(repositoryRoot);
        return Plan(repositoryRoot, config.Domain, config.Build);
    }

    public static KnobExplorer Plan(string repositoryRoot, string domain, string? buildCommand)
    {
        var projectFile = ProjectLocator.Find(repositoryRoot, buildCommand);
        var text = File.ReadAllText(projectFile);
        var template = RuntimeConfigTemplate.Read(Path.GetDirectoryName(projectFile)!);
        var rootProps = Path.Combine(repositoryRoot, "Directory.Build.props");
        var inheritedText = File.Exists(rootProps) && !SamePath(rootProps, projectFile) ? File.ReadAllText(rootProps) : "";

        var (offered, skipped) = KnobCatalogue.For(domain, buildCommand);
        var planned = new List<KnobCandidate>();
        var notes = skipped.ToList();
        foreach (var knob in offered)
        {
            if (knob.RuntimeConfigName.Length > 0 && template.ContainsKey(knob.RuntimeConfigName))
            {
                notes.Add($"{knob.Name}: set in runtimeconfig.template.json ({template[knob.RuntimeConfigName]}); change it there");
                continue;
            }

            var current = ProjectFileEditor.Read(text, knob) ?? ProjectFileEditor.Read(inheritedText, knob) ?? knob.DefaultValue;
            if (string.Equals(current, knob.TryValue, StringComparison.OrdinalIgnoreCase))
            {
                notes.Add($"{knob.Name}: already {current}");
                continue;
            }

            planned.Add(new KnobCandidate(knob, projectFile, current));
        }

        return new KnobExplorer(repositoryRoot, planned, notes, projectFile);
    }

    public CandidateInfo? NextCandidate(Policies.ExperimentGuidance guidance) => position < candidates.Count ? candidates[position].ToCandidate(root) : null;

    public async Task<string?> ImplementAsync(ImplementationRequest request, CancellationToken cancellationToken)
    {
        var candidate = candidates[position];
        var text = await File.ReadAllTextAsync(candidate.ProjectFile, cancellationToken);
        if (string.Equals(ProjectFileEditor.Read(text, candidate.Knob), candidate.Knob.TryValue, StringComparison.OrdinalIgnoreCase))
        {
            return $"{candidate.Knob.Name} is already {candidate.Knob.TryValue}";
        }

        string edited;
        try
        {
            edited = ProjectFileEditor.Set(text, candidate.Knob, candidate.Knob.TryValue);
        }
        catch (FormatException e)
        {
            return $"cannot edit {candidate.ProjectFile}: {e.Message}";
        }

        await File.WriteAllTextAsync(candidate.ProjectFile, edited, cancellationToken);
        return null;
    }

    public void Advance() => position++;

    static bool SamePath(string a, string b) => string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), StringComparison.Ordinal);
}

/// <summary>Finds the project whose runtime settings the benchmark uses.</summary>
public static partial class ProjectLocator
{
    /// <summary>
    /// The project named in the build command; else the only executable project in the repository; else the root
    /// Directory.Build.props (applies to every project). Fails with a clear line when none of these exists.
    /// </summary>
    public static string Find(string repositoryRoot, string? buildCommand)
    {
        if (buildCommand is not null)
        {
            foreach (Match token in ProjectToken().Matches(buildCommand))
            {
                var path = Path.GetFullPath(Path.Combine(repositoryRoot, token.Value.Trim('"', '\'')));
                if (File.Exists(path))
                {
                    return path;
                }
            }
        }

        var executables = Directory.EnumerateFiles(repositoryRoot, "*.csproj", SearchOption.AllDirectories)
            .Where(p => !IsIgnored(repositoryRoot, p))
            .Where(p => ExeOutput().IsMatch(File.ReadAllText(p)))
            .ToList();
        if (executables.Count == 1)
        {
            return executables[0];
        }

        var props = Path.Combine(repositoryRoot, "Directory.Build.props");
        if (File.Exists(props))
        {
            return props;
        }

        throw new PerfloopException(executables.Count == 0
            ? $"--knobs: no executable .csproj in {repositoryRoot}; knobs apply to a .NET program's project"
            : $"--knobs: {executables.Count} executable projects and no Directory.Build.props; name the benchmarked .csproj in perfloop.json's \"build\" command");
    }

    static bool IsIgnored(string root, string path)
    {
        var parts = Path.GetRelativePath(root, path).Split(Path.DirectorySeparatorChar);
        return parts.Any(p => p is "bin" or "obj" or ".git" or ".perfloop" or "node_modules");
    }

    [GeneratedRegex(@"[^\s""']+\.(cs|fs|vb)proj\b")]
    private static partial Regex ProjectToken();

    [GeneratedRegex(@"<OutputType>\s*(Exe|WinExe)\s*</OutputType>", RegexOptions.IgnoreCase)]
    private static partial Regex ExeOutput();
}

/// <summary>The <c>configProperties</c> of a project's runtimeconfig.template.json (empty when there is none).</summary>
public static class RuntimeConfigTemplate
{
    public const string FileName = "runtimeconfig.template.json";

    public static IReadOnlyDictionary<string, string> Read(string projectDirectory)
    {
        var path = Path.Combine(projectDirectory, FileName);
        if (!File.Exists(path))
        {
            return new Dictionary<string, string>();
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (!document.RootElement.TryGetProperty("configProperties", out var properties) || properties.ValueKind != JsonValueKind.Object)
            {
                return new Dictionary<string, string>();
            }

            return properties.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ToString(), StringComparer.Ordinal);
        }
        catch (JsonException e)
        {
            throw new PerfloopException($"{path}: not valid JSON ({e.Message}); fix it before exploring knobs");
        }
    }
}
