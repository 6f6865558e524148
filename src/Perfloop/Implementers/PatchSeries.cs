using Perfloop.Errors;

namespace Perfloop.Implementers;

/// <summary>The patch-queue implementer: every <c>*.patch</c> file of a directory, in file-name order.</summary>
public sealed class PatchSeries : IImplementer
{
    readonly List<PatchFile> patches;
    int position;

    public PatchSeries(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new PerfloopException($"--candidates: directory not found: {directory}");
        }

        var files = Directory.EnumerateFiles(directory)
            .Where(f => f.EndsWith(".patch", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".diff", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .ToList();
        // .NET decodes a file name that is not UTF-8 with U+FFFD and can then not open it: say so instead of "Could not find file".
        if (files.FirstOrDefault(f => !File.Exists(f)) is { } unreadable)
        {
            throw new PerfloopException($"--candidates: the file name '{Path.GetFileName(unreadable)}' in {directory} is not valid UTF-8; rename it (e.g. 0001-change.patch) and run again");
        }

        patches = files.Select(PatchFile.Read).ToList();
        if (patches.Count == 0)
        {
            throw new PerfloopException($"--candidates: no .patch files in {directory}; make them with 'git format-patch'");
        }
    }

    public int Count => patches.Count;

    public int MaxReworks => 0;

    public CandidateInfo? Peek() => position < patches.Count ? patches[position].ToCandidate() : null;

    public async Task<string?> ImplementAsync(ImplementationRequest request, CancellationToken cancellationToken)
    {
        var patch = patches[position];
        // The patch's own file names are checked before git sees it: nothing outside the repository is ever written.
        if (Safety.PatchPaths.Problem(await File.ReadAllTextAsync(patch.Path, cancellationToken), request.Repository.Root) is { } refused)
        {
            return refused;
        }

        var problem = await request.Repository.ApplyPatchAsync(Path.GetFullPath(patch.Path), cancellationToken);
        return problem is null ? null : $"patch does not apply: {problem}";
    }

    public void Advance() => position++;
}
