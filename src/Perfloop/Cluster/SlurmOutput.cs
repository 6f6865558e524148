using System.Globalization;

namespace Perfloop.Cluster;

/// <summary>
/// Parses what Slurm's commands print (captured from Slurm 22.05, the format unchanged since 17.x): pure functions,
/// unit-tested on real output.
/// </summary>
public static class SlurmOutput
{
    /// <summary>
    /// The squeue format the client asks for: id, state, node list, submit, start and end time, reason. The reason is
    /// last because it is the only free text (it may hold commas and spaces: "ReqNodeNotAvail, UnavailableNodes:n1").
    /// </summary>
    public const string SqueueFormat = "%i|%T|%N|%V|%S|%e|%r";

    const int SqueueFields = 7;

    /// <summary>The job id of <c>sbatch --parsable</c>: "<c>12</c>" or "<c>12;cluster</c>"; null when there is none.</summary>
    public static string? ParseSubmittedJobId(string stdout)
    {
        var line = stdout.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        if (line is null)
        {
            return null;
        }

        var id = line.Split(';', 2)[0];
        return id.Length > 0 && id.All(char.IsAsciiDigit) ? id : null;
    }

    /// <summary>
    /// The jobs in the output of <c>squeue --noheader --states=all --format=<see cref="SqueueFormat"/></c>, by id.
    /// A job squeue does not list is unknown to the controller; lines that are not in the format are skipped.
    /// </summary>
    public static IReadOnlyDictionary<string, JobStatus> ParseSqueue(string stdout)
    {
        var jobs = new Dictionary<string, JobStatus>(StringComparer.Ordinal);
        foreach (var line in stdout.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Trim().Split('|', SqueueFields);
            if (fields.Length != SqueueFields || fields[0].Length == 0 || fields[1].Length == 0)
            {
                continue;
            }

            var state = StateWord(fields[1]);
            var phase = PhaseOf(state);
            var reason = fields[6].Trim();
            jobs[fields[0]] = new JobStatus(fields[0], state, phase, reason is "None" or "(null)" ? "" : reason, fields[2])
            {
                SubmittedAt = Time(fields[3]),
                StartedAt = phase == JobPhase.Queued ? null : Time(fields[4]),
                // For a job not over, %e is the projected end (start + time limit), not an end.
                EndedAt = phase is JobPhase.Succeeded or JobPhase.Failed ? Time(fields[5]) : null,
            };
        }

        return jobs;
    }

    /// <summary>The state's first word in upper case: sacct prints "CANCELLED by 0", squeue "CANCELLED".</summary>
    public static string StateWord(string state) => state.Trim().Split(' ', 2)[0].TrimEnd('+').ToUpperInvariant();

    /// <summary>
    /// What a Slurm job state means to the coordinator (job states in squeue(1), "JOB STATE CODES"). A state this table
    /// does not know is treated as running: the coordinator keeps waiting, bounded by the job's deadline, rather than
    /// declare a job over that might still be working.
    /// </summary>
    public static JobPhase PhaseOf(string state) => StateWord(state) switch
    {
        "PENDING" or "CONFIGURING" or "REQUEUED" or "REQUEUE_FED" or "REQUEUE_HOLD" or "RESV_DEL_HOLD" => JobPhase.Queued,
        "COMPLETED" => JobPhase.Succeeded,
        "FAILED" or "CANCELLED" or "TIMEOUT" or "NODE_FAIL" or "OUT_OF_MEMORY" or "PREEMPTED" or "BOOT_FAIL"
            or "DEADLINE" or "REVOKED" or "SPECIAL_EXIT" => JobPhase.Failed,
        _ => JobPhase.Running,
    };

    /// <summary>
    /// squeue exits 1 with "Invalid job id specified" when none of the asked-for jobs is known any more; that is an
    /// answer (all unknown), unlike a controller that cannot be reached.
    /// </summary>
    public static bool IsNoSuchJob(string stderr) => stderr.Contains("Invalid job id specified", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// A Slurm command's complaint as one line: its "error:" lines joined (sbatch gives the cause, then "Batch job
    /// submission failed"), else its last line.
    /// </summary>
    public static string ErrorLine(string stderr)
    {
        var lines = stderr.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var errors = lines
            .Select(l => l.IndexOf("error:", StringComparison.OrdinalIgnoreCase) is var cut and >= 0 ? l[(cut + "error:".Length)..].Trim() : null)
            .OfType<string>()
            .Where(l => l.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return errors.Count > 0 ? string.Join("; ", errors) : lines.LastOrDefault() ?? "";
    }

    /// <summary>Slurm prints times as local ISO 8601 without an offset ("2026-11-30T04:52:14"), or "N/A"/"Unknown".</summary>
    static DateTimeOffset? Time(string text) =>
        DateTime.TryParseExact(text.Trim(), "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var time)
            ? new DateTimeOffset(time)
            : null;
}
