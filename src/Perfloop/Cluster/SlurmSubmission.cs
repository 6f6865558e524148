namespace Perfloop.Cluster;

/// <summary>One batch job to submit: a script, where its log goes, and the executor's settings.</summary>
/// <param name="Script">The job script (its own <c>#!</c> line says what runs it).</param>
/// <param name="JobName">Shown by squeue; perfloop names each job after its run and candidate.</param>
/// <param name="OutputPath">The job's stdout and stderr (<c>--output</c>); on the shared filesystem.</param>
/// <param name="TimeLimit">Slurm's <c>--time</c> text, e.g. <c>01:00:00</c>.</param>
public sealed record SlurmSubmission(string Script, string JobName, string OutputPath, string TimeLimit)
{
    /// <summary>Null submits to the cluster's default partition.</summary>
    public string? Partition { get; init; }

    /// <summary>Take the whole node (<c>--exclusive</c>): two benchmarks on one node corrupt each other.</summary>
    public bool Exclusive { get; init; } = true;

    /// <summary>Options from perfloop.json's <c>executor.sbatchOptions</c>, one argument each, passed before the script.</summary>
    public IReadOnlyList<string> ExtraOptions { get; init; } = [];

    /// <summary>Given to the script as <c>$1</c>, <c>$2</c>, ….</summary>
    public IReadOnlyList<string> ScriptArguments { get; init; } = [];

    /// <summary>The job's working directory on the node (<c>--chdir</c>); null keeps sbatch's (the submitting directory).</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>
    /// The sbatch argument list. <c>--no-requeue</c>: a job whose node failed must end (NODE_FAIL) so the coordinator
    /// records it, not run again behind its back; <c>--parsable</c>: the answer is just the job id.
    /// </summary>
    public IReadOnlyList<string> SbatchArguments()
    {
        var arguments = new List<string> { "--parsable", "--no-requeue", $"--job-name={JobName}", $"--time={TimeLimit}", $"--output={OutputPath}" };
        if (Exclusive)
        {
            arguments.Add("--exclusive");
        }

        if (Partition is { } partition)
        {
            arguments.Add($"--partition={partition}");
        }

        if (WorkingDirectory is { } directory)
        {
            arguments.Add($"--chdir={directory}");
        }

        arguments.AddRange(ExtraOptions);
        arguments.Add(Script);
        arguments.AddRange(ScriptArguments);
        return arguments;
    }
}
