
namespace Perfloop.Configuration;

/// <summary>Checks the <c>executor</c> key of perfloop.json; each problem is one line naming the key.</summary>
static class ExecutorValidation
{
    public const int MaxJobs = ExecutorSettings.MaxJobs;

    /// <summary>
    /// sbatch options the Slurm executor sets itself (or that would break a job it must follow), with the key to use
    /// instead. Both spellings of each are listed; "--name=value" forms are matched by their name.
    /// </summary>
    static readonly Dictionary<string, string> ReservedOptions = new(StringComparer.Ordinal)
    {
        ["--partition"] = "set executor.partition instead",
        ["-p"] = "set executor.partition instead",
        ["--time"] = "set executor.timeLimit instead",
        ["-t"] = "set executor.timeLimit instead",
        ["--job-name"] = "perfloop names each job after its candidate",
        ["-J"] = "perfloop names each job after its candidate",
        ["--output"] = "perfloop writes each job's log beside its request",
        ["-o"] = "perfloop writes each job's log beside its request",
        ["--error"] = "perfloop writes each job's log beside its request",
        ["-e"] = "perfloop writes each job's log beside its request",
        ["--exclusive"] = "every job already takes a whole node",
        ["--oversubscribe"] = "a benchmark must not share its node",
        ["-s"] = "a benchmark must not share its node",
        ["--share"] = "a benchmark must not share its node",
        ["--requeue"] = "perfloop decides itself what happens to a job whose node failed",
        ["--no-requeue"] = "perfloop already passes it",
        ["--parsable"] = "perfloop already passes it",
        ["--wrap"] = "perfloop submits its own job script",
        ["--array"] = "one job is one candidate",
        ["-a"] = "one job is one candidate",
        ["--wait"] = "perfloop follows its jobs itself",
        ["-W"] = "perfloop follows its jobs itself",
        ["--hold"] = "a held job would never start",
        ["-H"] = "a held job would never start",
        ["--test-only"] = "the job would never run",
    };

    public static void Validate(ExecutorSettings? executor, Action<string, string> fail)
    {
        if (executor is null)
        {
            return;
        }

        if (executor.Kind is not (ExecutorSettings.Local or ExecutorSettings.Slurm))
        {
            fail("$.executor.kind", $"must be \"{ExecutorSettings.Local}\" or \"{ExecutorSettings.Slurm}\" (is \"{executor.Kind}\")");
        }

        if (executor.Jobs is < 1 or > MaxJobs)
        {
            fail("$.executor.jobs", $"must be between 1 and {MaxJobs} (is {executor.Jobs})");
        }

        if (executor.Kind == ExecutorSettings.Local && executor.Jobs != 1)
        {
            fail("$.executor.jobs", $"the local executor evaluates one candidate at a time, because two benchmarks on one machine corrupt each other; set \"kind\": \"{ExecutorSettings.Slurm}\" or \"jobs\": 1");
        }

        if (executor.Partition is { } partition && (partition.Length == 0 || partition.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == ',')))
        {
            fail("$.executor.partition", $"\"{partition}\" is not a partition name; give one name (see sinfo), or remove the key for the cluster's default");
        }

        if (SlurmTimeLimit.Parse(executor.TimeLimit) is null)
        {
            fail("$.executor.timeLimit", $"\"{executor.TimeLimit}\" is not a positive Slurm time; use MM, HH:MM:SS or D-HH:MM:SS (e.g. \"01:30:00\")");
        }

        for (var i = 0; i < executor.SbatchOptions.Count; i++)
        {
            var option = executor.SbatchOptions[i];
            var key = $"$.executor.sbatchOptions[{i}]";
            if (string.IsNullOrWhiteSpace(option) || !option.StartsWith('-') || option.Contains('\n', StringComparison.Ordinal) || option.Contains('\0', StringComparison.Ordinal))
            {
                fail(key, $"\"{option}\" is not an sbatch option; give one option per element, with its value after '=' (e.g. \"--account=perf\")");
            }

            var name = option.Split('=', 2)[0];
            if (ReservedOptions.TryGetValue(name, out var why) || (name.Length > 2 && name[1] != '-' && ReservedOptions.TryGetValue(name[..2], out why)))
            {
                fail(key, $"\"{option}\" is set by perfloop: {why}");
            }
        }

        if (executor.SharedDirectory is { } shared && (string.IsNullOrWhiteSpace(shared) || !Path.IsPathRooted(shared)))
        {
            fail("$.executor.sharedDirectory", $"must be an absolute path that every node sees at the same place (is \"{shared}\")");
        }

        if (executor.Command.Count == 0 || executor.Command.Any(string.IsNullOrWhiteSpace))
        {
            fail("$.executor.command", "give how a node starts perfloop as a list, e.g. [\"perfloop\"] or [\"dotnet\", \"/shared/perfloop/Perfloop.Cli.dll\"]");
        }

        if (executor.PollSeconds is < 1 or > 600 || double.IsNaN(executor.PollSeconds))
        {
            fail("$.executor.pollSeconds", $"must be between 1 and 600 seconds (is {executor.PollSeconds}); schedulers ask to be polled no more than once a second");
        }
    }
}
