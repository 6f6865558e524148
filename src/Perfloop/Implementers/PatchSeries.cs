using Perfloop.Errors;
using Perfloop.Processes;

namespace Perfloop.Implementers;

/// <summary>
/// The patch-queue implementer: every <c>*.patch</c> (or <c>*.diff</c>) file of a directory, in file-name order,
/// applied as <c>git am -3</c> would. The queue is a list the user asked to have judged: a candidate the policies
/// would skip is moved to the back (<see cref="Defer"/>), not dropped.
/// </summary>
public sealed class PatchSeries : IDeferringImplementer
{
    readonly List<PatchFile> patches;
    readonly HashSet<string> deferred = new(StringComparer.Ordinal);
    int position;

    public PatchSeries(IReadOnlyList<PatchFile> patches)
    {
        this.patches = [.. patches];
    }

    /// <summary>Reads the queue in <paramref name="directory"/>; each patch's mail headers are decoded by <c>git mailinfo</c>.</summary>
    public static async Task<PatchSeries> LoadAsync(string directory, IProcessRunner runner, CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(directory))
        {
            throw new PerfloopException($"{Mention.Input("candidates")}: directory not found: {directory}");
        }

        var files = Directory.EnumerateFiles(directory)
            .Where(f => f.EndsWith(".patch", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".diff", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .ToList();
        // .NET decodes a file name that is not UTF-8 with U+FFFD and can then not open it: say so instead of "Could not find file".
        if (files.FirstOrDefault(f => !File.Exists(f)) is { } unreadable)
        {
            throw new PerfloopException($"{Mention.Input("candidates")}: the file name '{Path.GetFileName(unreadable)}' in {directory} is not valid UTF-8; rename it (e.g. 0001-change.patch) and run again");
        }

        if (files.Count == 0)
        {
            throw new PerfloopException($"{Mention.Input("candidates")}: no .patch files in {directory}; make them with 'git format-patch'");
        }

        var patches = new List<PatchFile>(files.Count);
        foreach (var file in files)
        {
            patches.Add(await PatchFile.ReadAsync(file, runner, cancellationToken));
        }

        return new PatchSeries(patches);
    }

    public int Count => patches.Count;

    /// <summary>The queue in its order (a cluster run submits them all at once).</summary>
    public IReadOnlyList<PatchFile> Patches => patches;

    public int MaxReworks => 0;

    public string? LastDetail { get; private set; }

    public CandidateInfo? NextCandidate(Policies.ExperimentGuidance guidance) => position < patches.Count ? patches[position].ToCandidate() : null;

    public async Task<string?> ImplementAsync(ImplementationRequest request, CancellationToken cancellationToken)
    {
        var patch = patches[position];
        LastDetail = null;
        var text = await File.ReadAllTextAsync(patch.Path, cancellationToken);
        // The patch's own file names are checked before git sees it: nothing outside the repository is ever written.
        var problem = Safety.PatchPaths.Problem(text, request.Repository.Root);
        if (problem is null)
        {
            var application = await PatchApplication.ApplyAsync(request.Repository, Path.GetFullPath(patch.Path), text, cancellationToken);
            LastDetail = application.Detail;
            problem = application.Problem is { } why ? $"patch does not apply: {why}" : null;
        }

        if (problem is not null)
        {
            // Nothing reached the work tree, so the experiment's candidate diff is the patch itself, kept as given.
            Directory.CreateDirectory(request.ExperimentDirectory);
            File.Copy(patch.Path, Path.Combine(request.ExperimentDirectory, "candidate.diff"), overwrite: true);
        }

        return problem;
    }

    /// <inheritdoc />
    public bool Defer()
    {
        var patch = patches[position];
        if (!deferred.Add(patch.Path))
        {
            return false;
        }

        patches.RemoveAt(position);
        patches.Add(patch);
        return true;
    }

    public void Advance() => position++;
}
