using System.Globalization;
using System.Text;
using Perfloop.Configuration;
using Perfloop.Domains;
using Perfloop.Errors;
using Perfloop.Git;
using Perfloop.Policies;
using Perfloop.Processes;
using Perfloop.Safety;

namespace Perfloop.Implementers;

/// <summary>How to run the agent: its shell command line and how long one attempt may take.</summary>
public sealed record AgentSettings(string Command, TimeSpan Timeout)
{
    public const double DefaultTimeoutSeconds = 1800;

    /// <summary>Replaced in the command by the prompt file's path (quoted); without it the path is appended as the last argument.</summary>
    public const string PromptPlaceholder = "{prompt}";

    /// <summary>The shell command line actually run: the prompt path goes in through an environment variable, so no quoting can break it.</summary>
    public string CommandLine => Command.Contains(PromptPlaceholder, StringComparison.Ordinal)
        ? Command.Replace(PromptPlaceholder, "\"$PERFLOOP_PROMPT\"", StringComparison.Ordinal)
        : Command + " \"$PERFLOOP_PROMPT\"";
}

/// <summary>
/// The agent implementer: for each target it writes <c>.perfloop/experiments/N/prompt.md</c> and runs the user's agent
/// command on it (prompt path as argument, in <c>PERFLOOP_PROMPT</c>/<c>PERFLOOP_PROMPT_FILE</c> and on stdin), with a
/// timeout and its output in <c>agent.log</c>. Whatever the agent changed in the work tree is the candidate; if it
/// committed, the commits are folded back into the work tree so the loop's KEEP commit is the only one. After a
/// guard failure the agent gets the failure and its reverted diff and reworks, at most <see cref="MaxReworks"/> times.
/// </summary>
public sealed class AgentImplementer : IImplementer
{
    ExperimentGuidance? guidance;

    readonly IProcessRunner runner;
    readonly AgentSettings settings;
    readonly IReadOnlyList<AgentTarget> targets;
    readonly string root;
    readonly PerfloopConfig config;
    readonly Domain domain;
    int position;

    AgentImplementer(IProcessRunner runner, AgentSettings settings, IReadOnlyList<AgentTarget> targets, string root, PerfloopConfig config)
    {
        this.runner = runner;
        this.settings = settings;
        this.targets = targets;
        this.root = root;
        this.config = config;
        domain = Domains.Domains.Find(config.Domain) ?? Domains.Domains.Cpu;
    }

    /// <summary>Opens the agent implementer on the repository containing <paramref name="directory"/>; targets as <see cref="AgentTargets.Resolve"/> finds them.</summary>
    public static async Task<AgentImplementer> OpenAsync(IProcessRunner runner, string directory, AgentSettings settings, string? targetsFile, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(settings.Command))
        {
            throw new PerfloopException($"{Mention.Input("agent")}: the command is empty; give the agent's command line, e.g. {Mention.Input("agent")} 'aider --yes-always --message-file {{prompt}}'");
        }

        if (settings.Timeout <= TimeSpan.Zero)
        {
            throw new PerfloopException($"{Mention.Input("agent-timeout")}: must be a positive number of seconds");
        }

        var repository = await GitRepository.OpenAsync(runner, directory, cancellationToken);
        var config = ConfigStore.Load(repository.Root);
        var targets = AgentTargets.Resolve(targetsFile, repository.Root);
        return new AgentImplementer(runner, settings, targets, repository.Root, config);
    }

    public int MaxReworks => 2;

    public IReadOnlyList<AgentTarget> Targets => targets;

    /// <summary>The agent's summary of its last change (its <c>SUMMARY:</c> line or commit subject), or null.</summary>
    public string? LastSummary { get; private set; }

    public CandidateInfo? NextCandidate(ExperimentGuidance guidance)
    {
        ArgumentNullException.ThrowIfNull(guidance);
        this.guidance = guidance;
        if (position >= targets.Count)
        {
            return null;
        }

        var target = targets[position];
        var strategy = target.Strategy.Length > 0 ? target.Strategy : guidance.CurrentStrategy;
        return new CandidateInfo($"Optimize {target.Target}", target.Target, target.Category, strategy, target.EstimatedImpact);
    }

    public void Advance() => position++;

    public async Task<string?> ImplementAsync(ImplementationRequest request, CancellationToken cancellationToken)
    {
        LastSummary = null;
        var repository = request.Repository;
        var before = await repository.HeadAsync(cancellationToken);
        var branch = await repository.BranchAsync(cancellationToken);

        var suffix = request.Attempt <= 1 ? "" : $".rework-{(request.Attempt - 1).ToString(CultureInfo.InvariantCulture)}";
        Directory.CreateDirectory(request.ExperimentDirectory);
        var promptPath = Path.Combine(request.ExperimentDirectory, $"prompt{suffix}.md");
        var logPath = Path.Combine(request.ExperimentDirectory, $"agent{suffix}.log");
        var prompt = AgentPrompt.Render(Context(request));
        await File.WriteAllTextAsync(promptPath, prompt, cancellationToken);

        var run = await RunAgentAsync(request, promptPath, prompt, logPath, cancellationToken);
        // Even when cancelled: a commit the agent made must not outlive the experiment.
        var committedSubject = await FoldCommitsAsync(repository, before, branch, logPath);
        cancellationToken.ThrowIfCancellationRequested();
        LastSummary = run.Summary ?? committedSubject;

        var log = Path.GetRelativePath(root, logPath);
        if (!run.Result.Succeeded)
        {
            // The experiment ends before the check step saves the diff; keep whatever the agent got done.
            var paths = await repository.ChangedPathsAsync(cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(request.ExperimentDirectory, "candidate.diff"), await repository.DiffAgainstHeadAsync(paths, cancellationToken), cancellationToken);
        }

        if (run.Result.TimedOut)
        {
            return $"the agent timed out after {settings.Timeout.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)}s (output in {log})";
        }

        return run.Result.ExitCode == 0
            ? null
            : $"the agent exited with code {run.Result.ExitCode.ToString(CultureInfo.InvariantCulture)}: {run.LastLine ?? "(no output)"} (output in {log})";
    }

    sealed record AgentRun(ProcessResult Result, string? Summary, string? LastLine);

    async Task<AgentRun> RunAgentAsync(ImplementationRequest request, string promptPath, string prompt, string logPath, CancellationToken cancellationToken)
    {
        string? summary = null;
        string? lastLine = null;
        var gate = new Lock();
        await using var log = new StreamWriter(logPath, append: false, new UTF8Encoding(false)) { AutoFlush = true };
        void OnLine(string line)
        {
            lock (gate)
            {
                log.WriteLine(line);
                if (line.StartsWith(AgentPrompt.SummaryPrefix, StringComparison.Ordinal) && line.Length > AgentPrompt.SummaryPrefix.Length)
                {
                    summary = line[AgentPrompt.SummaryPrefix.Length..].Trim();
                }

                if (line.Trim().Length > 0)
                {
                    lastLine = line.Trim();
                }
            }
        }

        var spec = CommandSpec.Shell(settings.CommandLine, root) with
        {
            Timeout = settings.Timeout,
            StandardInput = prompt,
            OnStdoutLine = OnLine,
            OnStderrLine = OnLine,
            Environment = new Dictionary<string, string?>
            {
                ["PERFLOOP_PROMPT"] = promptPath,
                ["PERFLOOP_PROMPT_FILE"] = promptPath,
                ["PERFLOOP_EXPERIMENT"] = request.Experiment.ToString(CultureInfo.InvariantCulture),
                ["PERFLOOP_ATTEMPT"] = request.Attempt.ToString(CultureInfo.InvariantCulture),
                ["PERFLOOP_TARGET"] = request.Candidate.Target,
                ["PERFLOOP_REPO"] = root,
            },
        };
        var result = await runner.RunAsync(spec, cancellationToken);
        lock (gate)
        {
            if (result.TimedOut)
            {
                log.WriteLine($"[perfloop] timed out after {settings.Timeout.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)}s; the agent's process group was terminated");
            }

            return new AgentRun(result, summary is { Length: > 0 } ? Truncate(summary) : null, lastLine is null ? null : Truncate(lastLine));
        }
    }

    /// <summary>
    /// Undoes any commits the agent made (and a branch switch) while keeping their changes in the work tree, so the
    /// candidate is an uncommitted change like any other. Returns the latest commit's subject, or null when none.
    /// </summary>
    static async Task<string?> FoldCommitsAsync(GitRepository repository, string before, string? branch, string logPath)
    {
        if (branch is not null && await repository.BranchAsync(CancellationToken.None) != branch)
        {
            // The agent's branch is left as it is.
            await repository.PointHeadAtBranchAsync(branch, CancellationToken.None);
        }

        var head = await repository.HeadAsync(CancellationToken.None);
        if (head == before)
        {
            return null;
        }

        var subject = await repository.SubjectAsync(head, CancellationToken.None);
        await repository.UncommitSinceAsync(before, CancellationToken.None);
        await File.AppendAllTextAsync(logPath, $"[perfloop] the agent committed ({CommitId.Abbreviate(head)} \"{subject}\"); its changes were moved back into the work tree\n", CancellationToken.None);
        return subject.Length > 0 ? Truncate(subject) : null;
    }

    PromptContext Context(ImplementationRequest request)
    {
        var rows = request.Rows;
        var guard = request.Guard;
        var target = targets[position] with { Strategy = request.Candidate.Strategy };
        return new PromptContext
        {
            Experiment = request.Experiment,
            Attempt = request.Attempt,
            MaxReworks = MaxReworks,
            RepositoryRoot = root,
            Target = target,
            Strategy = Or(request.Candidate.Strategy, domain.RotationOrder[0]),
            Domain = domain,
            HistoryReview = guidance is { } g && g.Experiment == request.Experiment
                ? g.ToMarkdown(headingLevel: 3) + "\n" + PromptHistory.Review(rows)
                : PromptHistory.Review(rows),
            Learnings = ReadIfExists(Path.Combine(PerfloopPaths.StateDirectory(root), "learnings.md")),
            RecentDiscards = PromptHistory.RecentDiscardReasons(rows),
            ProtectedPaths = ProtectedPathLines(guard),
            Guard = guard,
            Rework = request.ReworkFeedback is { } feedback
                ? new ReworkContext(
                    feedback,
                    AgentPrompt.Tail(ReadIfExists(Path.Combine(request.ExperimentDirectory, "guard.log")) ?? "", AgentPrompt.SectionCapChars),
                    ReadIfExists(Path.Combine(request.ExperimentDirectory, "candidate.diff")) ?? "")
                : null,
        };
    }

    List<string> ProtectedPathLines(string? guard)
    {
        var lines = new List<string> { ProtectedPaths.DefaultsDescription };
        var guardFiles = ProtectedPaths.FilesNamedIn(guard, root).ToList();
        if (guardFiles.Count > 0)
        {
            lines.Add($"the guard's files: {string.Join(", ", guardFiles)}");
        }

        if (config.ProtectedPaths.Count > 0)
        {
            lines.Add($"from {PerfloopConfig.FileName} (protectedPaths): {string.Join(", ", config.ProtectedPaths)}");
        }

        return lines;
    }

    static string? ReadIfExists(string path) => File.Exists(path) ? File.ReadAllText(path) : null;

    static string Truncate(string line) => line.Length <= 200 ? line : line[..197] + "...";

    static string Or(string value, string fallback) => string.IsNullOrWhiteSpace(value) ? fallback : value;
}
