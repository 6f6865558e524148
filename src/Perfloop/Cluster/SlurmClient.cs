using Perfloop.Errors;
using Perfloop.Processes;

namespace Perfloop.Cluster;

/// <summary>
/// Slurm's commands (sbatch, squeue, scancel) through <see cref="IProcessRunner"/>, each with an argument list and a
/// timeout: a controller that does not answer is a clear error, never a hang.
/// </summary>
public sealed class SlurmClient(IProcessRunner runner, string workingDirectory)
{
    /// <summary>Slurm's commands answer in well under a second; a controller busy for longer than this is unreachable.</summary>
    public static TimeSpan CommandTimeout { get; } = TimeSpan.FromSeconds(60);

    static readonly Dictionary<string, string?> Environment = new()
    {
        // Parseable messages and times, whatever the user's locale.
        ["LC_ALL"] = "C",
        // The user's own squeue/sbatch defaults must not change what perfloop asks for or reads.
        ["SQUEUE_FORMAT"] = null,
        ["SQUEUE_FORMAT2"] = null,
        ["SQUEUE_SORT"] = null,
        ["SLURM_TIME_FORMAT"] = null,
    };

    /// <summary>Submits the job and returns its id; a refusal (bad partition, bad option) is a <see cref="PerfloopException"/>.</summary>
    public async Task<string> SubmitAsync(SlurmSubmission submission, CancellationToken cancellationToken)
    {
        var result = await RunAsync("sbatch", submission.SbatchArguments(), cancellationToken);
        if (result.Succeeded && SlurmOutput.ParseSubmittedJobId(result.StdoutText) is { } id)
        {
            return id;
        }

        throw new PerfloopException($"sbatch refused the job {submission.JobName}: {Why(result)}", ExitCodes.Failure);
    }

    /// <summary>
    /// The state of each job in <paramref name="jobIds"/> (one squeue call for all); a job the controller does not
    /// know is <see cref="JobPhase.Unknown"/>. A controller that cannot be reached is a <see cref="PerfloopException"/>.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, JobStatus>> QueryAsync(IReadOnlyCollection<string> jobIds, CancellationToken cancellationToken)
    {
        var answer = new Dictionary<string, JobStatus>(StringComparer.Ordinal);
        if (jobIds.Count == 0)
        {
            return answer;
        }

        var result = await RunAsync("squeue", ["--noheader", "--states=all", $"--jobs={string.Join(',', jobIds)}", $"--format={SlurmOutput.SqueueFormat}"], cancellationToken);
        if (!result.Succeeded && !(result.ExitCode == 1 && !result.TimedOut && SlurmOutput.IsNoSuchJob(result.StderrText)))
        {
            throw new PerfloopException($"squeue could not report jobs {string.Join(',', jobIds)}: {Why(result)}", ExitCodes.Failure);
        }

        var listed = SlurmOutput.ParseSqueue(result.StdoutText);
        foreach (var id in jobIds)
        {
            answer[id] = listed.TryGetValue(id, out var status) ? status : JobStatus.NotKnown(id);
        }

        return answer;
    }

    /// <summary>
    /// The id of the newest job named <paramref name="jobName"/> that Slurm still knows, or null: finds a job whose
    /// submission was not journaled (the coordinator was killed between sbatch and the journal write).
    /// </summary>
    public async Task<string?> FindAsync(string jobName, CancellationToken cancellationToken)
    {
        var result = await RunAsync("squeue", ["--noheader", "--states=all", $"--name={jobName}", $"--format={SlurmOutput.SqueueFormat}"], cancellationToken);
        if (!result.Succeeded)
        {
            throw new PerfloopException($"squeue could not look for job {jobName}: {Why(result)}", ExitCodes.Failure);
        }

        return SlurmOutput.ParseSqueue(result.StdoutText).Keys.MaxBy(id => long.Parse(id, System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Asks Slurm to end the job (scancel). Cancelling a job that already ended is not an error; the job's state, read
    /// afterwards, says how it ended.
    /// </summary>
    public async Task CancelAsync(string jobId, CancellationToken cancellationToken)
    {
        var result = await RunAsync("scancel", [jobId], cancellationToken);
        if (!result.Succeeded && !SlurmOutput.IsNoSuchJob(result.StderrText) && !result.StderrText.Contains("already completing or completed", StringComparison.OrdinalIgnoreCase))
        {
            throw new PerfloopException($"scancel {jobId} failed: {Why(result)}", ExitCodes.Failure);
        }
    }

    async Task<ProcessResult> RunAsync(string command, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var spec = new CommandSpec(command, arguments, workingDirectory) { Environment = Environment, Timeout = CommandTimeout };
        try
        {
            var result = await runner.RunAsync(spec, cancellationToken);
            if (result.Cancelled)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            return result;
        }
        catch (ProcessStartException e)
        {
            throw new PerfloopException($"{command} could not be started ({e.Message}); install Slurm's client commands on this machine, or run scripts/slurm-local.sh up for a one-node cluster", ExitCodes.Failure, e);
        }
    }

    static string Why(ProcessResult result) =>
        result.TimedOut ? $"no answer from the Slurm controller within {CommandTimeout.TotalSeconds:0} s"
        : SlurmOutput.ErrorLine(result.StderrText) is { Length: > 0 } error ? error
        : $"exit code {result.ExitCode}";
}
