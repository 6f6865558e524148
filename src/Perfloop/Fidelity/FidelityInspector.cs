using Perfloop.Git;

namespace Perfloop.Fidelity;

/// <summary>Gathers what the fidelity check needs from the repository — the function-named diff, the profile — and judges it.</summary>
public static class FidelityInspector
{
    public static async Task<FidelityResult> InspectAsync(GitRepository repository, IReadOnlyList<string> paths, string benchCommand, string mode, CancellationToken cancellationToken)
    {
        var diff = await ChangedFunctions.DiffAsync(repository, paths, cancellationToken);
        var code = ChangedFunctions.Parse(diff, path =>
        {
            var full = Path.Combine(repository.Root, path);
            return File.Exists(full) ? File.ReadAllLines(full) : null;
        });
        var settings = BenchSettingChanges.Find(diff, paths, benchCommand);
        var (profile, missing) = BenchmarkProfileStore.Load(repository.Root);
        if (missing is not null)
        {
            // The advice depends on what the benchmark runs: never a command that cannot profile it.
            missing = $"{missing}; {Profiling.ProfilingAdvice.ForBench(benchCommand, repository.Root)}";
        }

        return FidelityCheck.Evaluate(code, settings, profile, missing, mode);
    }
}
