using Perfloop.Configuration;
using Perfloop.Experiments;
using Perfloop.Policies;

namespace Perfloop.Sessions;

/// <summary>Gathers what the pure <see cref="ConfigAudit"/> needs after a KEEP (a handful of git calls) and runs it.</summary>
public static class ConfigAuditStep
{
    public static async Task<IReadOnlyList<AuditFinding>> AuditAsync(ExperimentContext context, string preCommit, string keptCommit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var repository = context.Repository;
        var config = context.Setup.Config;
        var stillRead = new HashSet<string>(StringComparer.Ordinal);
        foreach (var flag in ConfigAudit.Flags(config.Bench))
        {
            // perfloop.json itself does not count as code reading the flag.
            if (await repository.ContainsTextAsync(keptCommit, flag, PerfloopConfig.FileName, cancellationToken))
            {
                stillRead.Add(flag);
            }
        }

        var root = context.Root;
        return ConfigAudit.Audit(new AuditInputs
        {
            Config = config,
            FilesBefore = await repository.FilesAtAsync(preCommit, cancellationToken),
            FilesAfter = await repository.FilesAtAsync(keptCommit, cancellationToken),
            Changed = await repository.FilesChangedAsync(preCommit, keptCommit, cancellationToken),
            Diff = await repository.DiffWithoutContextAsync(preCommit, keptCommit, cancellationToken),
            Oracle = await context.Baselines.OracleAsync(preCommit, cancellationToken),
            FlagsStillRead = stillRead,
            ReadFile = path => ConfigAudit.IsProjectFile(path) && File.Exists(Path.Combine(root, path)) ? File.ReadAllText(Path.Combine(root, path)) : null,
        });
    }
}
