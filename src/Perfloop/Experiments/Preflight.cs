using Perfloop.Configuration;
using Perfloop.Errors;
using Perfloop.Processes;

namespace Perfloop.Experiments;

/// <summary>When a configured program can be checked: before the build (on PATH, absolute, the build itself) or only after it (a path inside the repository the build may produce).</summary>
public enum PreflightStage
{
    BeforeBuild,
    AfterBuild,
}

/// <summary>One configured command whose program must exist.</summary>
public sealed record PreflightCheck(string Program, string Command, string Where, PreflightStage Stage);

/// <summary>
/// Refuses a configured command whose program does not exist (a typo, a tool not installed) with one line before anything
/// is measured, rather than a failing baseline or every candidate discarded. What the build produces (<c>./work</c>) is
/// checked after the build, so a fresh clone of a compiled project is not refused for a binary it has not built yet.
/// </summary>
public static class Preflight
{
    /// <summary>The checks of a setup, each at the stage it can be made (pure).</summary>
    public static IReadOnlyList<PreflightCheck> Plan(PerfloopConfig config, string? guard)
    {
        ArgumentNullException.ThrowIfNull(config);
        var checks = new List<PreflightCheck>();
        void Add(string? command, string where, bool canBeBuilt)
        {
            if (string.IsNullOrWhiteSpace(command) || ProgramOf(command) is not { } program)
            {
                return;
            }

            var builtByTheBuild = canBeBuilt && !string.IsNullOrWhiteSpace(config.Build) && program.Contains('/', StringComparison.Ordinal) && !Path.IsPathRooted(program);
            checks.Add(new PreflightCheck(program, command, where, builtByTheBuild ? PreflightStage.AfterBuild : PreflightStage.BeforeBuild));
        }

        Add(config.Build, $"{PerfloopConfig.FileName}: $.build", canBeBuilt: false);
        Add(config.Bench, $"{PerfloopConfig.FileName}: $.bench", canBeBuilt: true);
        Add(guard, $"{PerfloopConfig.FileName}: $.guard", canBeBuilt: true);
        return checks;
    }

    /// <summary>Runs the checks of <paramref name="stage"/> in <paramref name="directory"/>; the first missing program is a usage error.</summary>
    public static async Task CheckAsync(IProcessRunner runner, IReadOnlyList<PreflightCheck> checks, PreflightStage stage, string directory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(checks);
        foreach (var check in checks.Where(c => c.Stage == stage))
        {
            var probe = new CommandSpec("/bin/sh", ["-c", "command -v \"$1\"", "sh", check.Program], directory) { Timeout = TimeSpan.FromSeconds(30) };
            var result = await runner.RunAsync(probe, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            if (!result.Succeeded)
            {
                var after = stage == PreflightStage.AfterBuild ? " after the build" : "";
                throw new PerfloopException($"{check.Where}: command '{check.Program}' not found{after} (from '{check.Command}'); install it or fix the command");
            }
        }
    }

    /// <summary>The program a simple shell command line starts, or null when the line is too clever to tell (subshells, variables).</summary>
    public static string? ProgramOf(string commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        foreach (var word in commandLine.Trim().Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (word.Contains('=', StringComparison.Ordinal) && !word.StartsWith('='))
            {
                continue;
            }

            return word.IndexOfAny(['$', '(', ')', '`', '{', '}', '"', '\'', '\\', ';', '&', '|', '<', '>', '*', '?']) >= 0 ? null : word;
        }

        return null;
    }
}
