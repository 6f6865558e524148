using System.Text;

namespace Perfloop.Cluster;

/// <summary>
/// The batch script of one job. It only starts perfloop on the node with the request file; everything else (clone,
/// evaluation, result) is the <c>cluster-job</c> command's. <c>exec</c> makes perfloop the job's own process, so the
/// scheduler's signals (scancel, time limit) reach it directly and it can stop its children and write nothing half.
/// </summary>
public static class JobScript
{
    /// <summary>The node's command line: <paramref name="perfloop"/> (e.g. <c>["perfloop"]</c>) <c>cluster-job --request FILE</c>.</summary>
    public static IReadOnlyList<string> CommandLine(IReadOnlyList<string> perfloop, string requestPath) =>
        [.. perfloop, "cluster-job", "--request", requestPath];

    public static string Render(IReadOnlyList<string> perfloop, string requestPath, string jobName)
    {
        var text = new StringBuilder();
        text.Append("#!/bin/sh\n");
        text.Append("# perfloop cluster job ").Append(SafeComment(jobName)).Append(": evaluates one candidate on this node (docs/cluster.md).\n");
        text.Append("# Written by the coordinator with the request beside it; the result goes where the request says.\n");
        text.Append("echo \"perfloop job ").Append(SafeComment(jobName)).Append(" on $(hostname) at $(date -u +%Y-%m-%dT%H:%M:%SZ)\"\n");
        text.Append("exec");
        foreach (var argument in CommandLine(perfloop, requestPath))
        {
            text.Append(' ').Append(Quote(argument));
        }

        return text.Append('\n').ToString();
    }

    /// <summary>One argument for /bin/sh: single quotes keep everything literal; a single quote is closed, escaped and reopened.</summary>
    public static string Quote(string argument) => "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    static string SafeComment(string text) => new(text.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.').ToArray());
}
