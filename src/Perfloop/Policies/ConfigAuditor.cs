using Perfloop.Experiments;
using Perfloop.Git;

namespace Perfloop.Policies;

/// <summary>Gathers what <see cref="ConfigAudit"/> needs from the repository after a KEEP (a handful of git calls).</summary>
public static class ConfigAuditor
{
    public static async Task<IReadOnlyList<AuditFinding>> AuditAsync(Workspace workspace, string preCommit, string keptCommit, CancellationToken cancellationToken)
    {
        var git = workspace.Repository.Git;
        var before = GitCli.SplitNul(await git.RunAsync(["ls-tree", "-r", "-z", "--name-only", preCommit], cancellationToken));
        var after = GitCli.SplitNul(await git.RunAsync(["ls-tree", "-r", "-z", "--name-only", keptCommit], cancellationToken));
        var changed = GitCli.SplitNul(await git.RunAsync(["diff", "--name-only", "-z", "--no-renames", preCommit, keptCommit], cancellationToken));
        var diff = await git.RunAsync(["diff", "--no-renames", "-U0", preCommit, keptCommit], cancellationToken);
        var stillRead = new HashSet<string>(StringComparer.Ordinal);
        foreach (var flag in ConfigAudit.Flags(workspace.Config.Bench))
        {
            // git grep exits 1 when nothing matches; perfloop.json itself does not count as code reading the flag.
            var found = await git.TryRunAsync(["grep", "-q", "-F", "-e", flag, keptCommit, "--", ".", ":!perfloop.json"], cancellationToken);
            if (found.Succeeded)
            {
                stillRead.Add(flag);
            }
        }

        var oracle = await workspace.OracleAsync(preCommit, cancellationToken);
        return ConfigAudit.Audit(new AuditInputs
        {
            Config = workspace.Config,
            FilesBefore = before,
            FilesAfter = after,
            Changed = changed,
            Diff = diff,
            Oracle = oracle,
            FlagsStillRead = stillRead,
            ReadFile = path => ConfigAudit.IsProjectFile(path) && File.Exists(Path.Combine(workspace.Root, path)) ? File.ReadAllText(Path.Combine(workspace.Root, path)) : null,
        });
    }
}
