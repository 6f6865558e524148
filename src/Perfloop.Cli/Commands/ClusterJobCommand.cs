using System.CommandLine;
using Perfloop.UseCases;

namespace Perfloop.Cli.Commands;

/// <summary>
/// What a cluster job runs on its node (docs/cluster.md): evaluates the request's candidate and writes its result.
/// Not for people: the coordinator writes the request and the job script that calls this.
/// </summary>
static class ClusterJobCommand
{
    public static Command Create()
    {
        var request = new Option<string>("--request") { Description = "The job's request (perfloop.cluster-job-request/v1), written by the coordinator", Required = true };
        var command = new Command("cluster-job", "Evaluate one candidate on this cluster node, as a job of 'perfloop run --executor slurm' (run by the job script)")
        {
            request,
        };
        command.Hidden = true;
        command.SetAction((parse, cancellationToken) => CommandLine.GuardAsync(async () =>
        {
            var result = await Tools.ClusterJobAsync(Cli.Services(), Path.GetFullPath(parse.GetValue(request)!), cancellationToken);
            Console.WriteLine($"[cluster-job] {result.Job}: {result.Row.StatusText} — {result.Row.Reason}");
            return 0;
        }, cancellationToken));
        return command;
    }
}
