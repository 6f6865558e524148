using System.Text;
using System.Text.RegularExpressions;
using Perfloop.Processes;

namespace Perfloop.Init;

/// <summary>A version manager whose shims stand in for the programs it manages (pyenv's python3, rbenv's ruby…).</summary>
/// <param name="Name">The manager's command, which also answers <c>NAME which PROGRAM</c> with the real program.</param>
public sealed record VersionManager(string Name)
{
    /// <summary>
    /// Managers that put shims on PATH: each shim starts the manager, which reads its version files and then execs the
    /// real program, on every call. nvm is not here: it puts the real node on PATH, so there is nothing to detect.
    /// </summary>
    public static readonly IReadOnlyList<VersionManager> Known =
    [
        new("pyenv"), new("rbenv"), new("asdf"), new("mise"), new("volta"), new("jenv"),
        new("nodenv"), new("goenv"), new("plenv"), new("phpenv"), new("tfenv"), new("rtx"),
    ];

    public static VersionManager? Find(string name) => Known.FirstOrDefault(m => m.Name == name);
}

/// <summary>One program of the bench command that starts through a shim, and what to call instead.</summary>
/// <param name="Program">The program as the command names it (python3).</param>
/// <param name="ShimPath">The file PATH resolves it to.</param>
/// <param name="Manager">The version manager behind the shim.</param>
/// <param name="RealProgram">The real program the manager resolves it to here, or null when it could not say.</param>
public sealed record ShimFinding(string Program, string ShimPath, VersionManager Manager, string? RealProgram)
{
    /// <summary>One line for the user: what was found, why it matters, what to call instead.</summary>
    public string Advice => RealProgram is { } real
        ? $"'{Program}' in the bench command is a {Manager.Name} shim ({ShimPath}): every run starts {Manager.Name} first; call the real program instead: {real} ('{Manager.Name} which {Program}')"
        : $"'{Program}' in the bench command is a {Manager.Name} shim ({ShimPath}): every run starts {Manager.Name} first; call the real program instead ('{Manager.Name} which {Program}' names it)";
}

/// <summary>
/// Finds version-manager shims among the programs a bench command starts. A shim costs a manager start on every run
/// (pyenv's python3: tens of milliseconds, bench/RESULTS.md), which dilutes every ratio and adds its own noise. The
/// decisions are pure functions of a command line and of what a file looks like; only resolving files and asking the
/// manager touch the machine.
/// </summary>
public static partial class VersionManagerShims
{
    /// <summary>How long the manager may take to name the real program.</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(10);

    // Commands that run another program: their options that take a value, and how many plain words (taskset's mask,
    // chrt's priority) come before the program.
    static readonly Dictionary<string, (string[] OptionsWithValue, int Positional)> Wrappers = new(StringComparer.Ordinal)
    {
        ["env"] = (["-u", "--unset", "-C", "--chdir", "-S", "--split-string"], 0),
        ["exec"] = (["-a"], 0),
        ["time"] = (["-f", "--format", "-o", "--output"], 0),
        ["nice"] = (["-n", "--adjustment"], 0),
        ["nohup"] = ([], 0),
        ["command"] = ([], 0),
        ["taskset"] = ([], 1),
        ["chrt"] = ([], 1),
    };

    /// <summary>
    /// The programs a shell command line starts: the first word of each simple command (split at <c>&amp;&amp;</c>,
    /// <c>||</c>, <c>;</c>, <c>|</c>, <c>&amp;</c>, newlines and parentheses), after assignments and wrappers such as
    /// <c>env</c>, <c>exec</c> or <c>time</c>, quotes removed. Not a shell: enough to name the programs of a bench line.
    /// </summary>
    public static IReadOnlyList<string> ProgramsOf(string commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        var programs = new List<string>();
        foreach (var segment in CommandSeparators().Split(commandLine))
        {
            if (ProgramOf(Words(segment)) is { } program && !programs.Contains(program))
            {
                programs.Add(program);
            }
        }

        return programs;
    }

    static string? ProgramOf(List<string> words)
    {
        var i = 0;
        while (i < words.Count && Assignment().IsMatch(words[i]))
        {
            i++;
        }

        while (i < words.Count && Wrappers.TryGetValue(words[i], out var wrapper))
        {
            i++;
            var positional = wrapper.Positional;
            while (i < words.Count && (words[i].StartsWith('-') || Assignment().IsMatch(words[i]) || positional > 0))
            {
                if (!words[i].StartsWith('-') && !Assignment().IsMatch(words[i]))
                {
                    positional--;
                }

                i += wrapper.OptionsWithValue.Contains(words[i]) ? 2 : 1;
            }
        }

        return i < words.Count ? words[i] : null;
    }

    /// <summary>
    /// Which manager a program file belongs to, or null when it is not a shim: by where it lives
    /// (<c>…/.pyenv/shims/</c>, <c>…/mise/shims/</c>, <c>…/.volta/bin/</c>), by what it links to (<c>volta-shim</c>, the
    /// <c>mise</c> binary), or by what its script does (<c>exec …/pyenv exec</c>, <c>asdf exec</c>, <c>mise x</c>).
    /// </summary>
    /// <param name="path">The file PATH resolved the program to.</param>
    /// <param name="linkTarget">The final target when the file is a symbolic link, else null.</param>
    /// <param name="scriptHead">The start of the file when it is a script (<c>#!</c>), else null.</param>
    public static VersionManager? Classify(string path, string? linkTarget, string? scriptHead)
    {
        ArgumentNullException.ThrowIfNull(path);
        var directory = Path.GetDirectoryName(path) ?? "";
        var folder = Path.GetFileName(directory);
        var owner = Path.GetFileName(Path.GetDirectoryName(directory) ?? "").TrimStart('.');
        if (folder == "shims" && VersionManager.Find(owner) is { } byFolder)
        {
            return byFolder;
        }

        if (folder == "bin" && owner == "volta")
        {
            return VersionManager.Find("volta");
        }

        if (linkTarget is not null && Path.GetFileName(linkTarget) is var target && target is "volta-shim" or "mise" or "rtx")
        {
            return VersionManager.Find(target == "volta-shim" ? "volta" : target);
        }

        if (scriptHead is not null && ShimScript().Match(scriptHead) is { Success: true } script)
        {
            return VersionManager.Find(script.Groups["manager"].Value);
        }

        return null;
    }

    /// <summary>
    /// The real program a manager named, from its answer to <c>which</c>: the first line, when it is an absolute path
    /// that is not the shim itself.
    /// </summary>
    public static string? RealProgramFrom(string whichOutput, string shimPath)
    {
        ArgumentNullException.ThrowIfNull(whichOutput);
        var line = whichOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return line is not null && Path.IsPathFullyQualified(line) && line != shimPath ? line : null;
    }

    /// <summary>
    /// The shims among the programs <paramref name="benchCommand"/> starts, resolved on PATH from
    /// <paramref name="directory"/> as the bench would be, with the real program each manager names there (the
    /// version it picks depends on the directory's version files). An interpreter named by a script's
    /// <c>#!/usr/bin/env python3</c> line counts as a program of the bench too. Never throws for what it cannot read.
    /// </summary>
    /// <param name="runner">Runs the manager's <c>which</c>.</param>
    /// <param name="benchCommand">The bench command line of perfloop.json.</param>
    /// <param name="directory">Where the bench runs: the repository root.</param>
    /// <param name="cancellationToken">Stops the probe.</param>
    /// <param name="path">The PATH to resolve programs on; the environment's when null.</param>
    public static async Task<IReadOnlyList<ShimFinding>> FindAsync(
        IProcessRunner runner, string benchCommand, string directory, CancellationToken cancellationToken, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(benchCommand);
        if (OperatingSystem.IsWindows())
        {
            return [];
        }

        path ??= Environment.GetEnvironmentVariable("PATH");
        var programs = new List<string>(ProgramsOf(benchCommand));
        var findings = new List<ShimFinding>();
        for (var i = 0; i < programs.Count; i++)
        {
            var program = programs[i];
            if (Resolve(program, path, directory) is not { } file)
            {
                continue;
            }

            var (linkTarget, head) = Inspect(file);
            if (Classify(file, linkTarget, head) is { } manager)
            {
                var real = await AskAsync(runner, manager, Path.GetFileName(program), file, head, directory, cancellationToken);
                findings.Add(new ShimFinding(program, file, manager, real));
            }
            else if (head is not null && Interpreter(head) is { } interpreter && !programs.Contains(interpreter))
            {
                programs.Add(interpreter);
            }
        }

        return findings;
    }

    /// <summary>The shims of the bench command in a repository's perfloop.json (what <c>calibrate</c> checks).</summary>
    public static async Task<IReadOnlyList<ShimFinding>> FindForRepositoryAsync(IProcessRunner runner, string directory, CancellationToken cancellationToken)
    {
        var repository = await Git.GitRepository.OpenAsync(runner, directory, cancellationToken);
        var config = Configuration.ConfigStore.Load(repository.Root);
        return await FindAsync(runner, config.Bench, repository.Root, cancellationToken);
    }

    /// <summary>The program a <c>#!</c> line runs through env (<c>#!/usr/bin/env python3</c> → python3), or its absolute path.</summary>
    public static string? Interpreter(string scriptHead)
    {
        ArgumentNullException.ThrowIfNull(scriptHead);
        if (!scriptHead.StartsWith("#!", StringComparison.Ordinal))
        {
            return null;
        }

        var words = scriptHead[2..].Split('\n')[0].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0)
        {
            return null;
        }

        if (Path.GetFileName(words[0]) == "env")
        {
            return words.Skip(1).FirstOrDefault(w => !w.StartsWith('-') && !w.Contains('=', StringComparison.Ordinal));
        }

        return words[0];
    }

    static string? Resolve(string program, string? path, string directory)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            var file = Path.GetFullPath(Path.Combine(directory, program));
            return File.Exists(file) ? file : null;
        }

        foreach (var folder in (path ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var file = Path.Combine(Path.GetFullPath(folder, directory), program);
            if (File.Exists(file) && !OperatingSystem.IsWindows() && (File.GetUnixFileMode(file) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0)
            {
                return file;
            }
        }

        return null;
    }

    /// <summary>The file's final link target (when a link) and its first bytes (when a script).</summary>
    static (string? LinkTarget, string? ScriptHead) Inspect(string file)
    {
        try
        {
            var target = new FileInfo(file).LinkTarget is null ? null : File.ResolveLinkTarget(file, returnFinalTarget: true)?.FullName;
            using var stream = File.OpenRead(file);
            var buffer = new byte[4096];
            var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            var head = read >= 2 && buffer[0] == '#' && buffer[1] == '!' ? Encoding.UTF8.GetString(buffer, 0, read) : null;
            return (target, head);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, null);
        }
    }

    /// <summary>
    /// Asks the manager which real program the shim runs here (every manager answers <c>NAME which PROGRAM</c>); null
    /// when it cannot be asked or does not say.
    /// </summary>
    static async Task<string?> AskAsync(IProcessRunner runner, VersionManager manager, string program, string shim, string? scriptHead, string directory, CancellationToken cancellationToken)
    {
        foreach (var executable in ManagerExecutables(manager, shim, scriptHead))
        {
            try
            {
                var result = await runner.RunAsync(new CommandSpec(executable, ["which", program], directory) { Timeout = ProbeTimeout }, cancellationToken);
                if (result.Succeeded && RealProgramFrom(result.StdoutText, shim) is { } real)
                {
                    return real;
                }
            }
            catch (ProcessStartException)
            {
                // Not runnable from here: try the next place the manager may live.
            }
        }

        return null;
    }

    /// <summary>Where the manager may be: the path the shim execs, the manager by name on PATH, next to the shims folder.</summary>
    static IEnumerable<string> ManagerExecutables(VersionManager manager, string shim, string? scriptHead)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (scriptHead is not null && ShimScript().Match(scriptHead) is { Success: true } script && script.Groups["path"].Value is { Length: > 0 } exec)
        {
            seen.Add(exec);
            yield return exec;
        }

        var root = Path.GetDirectoryName(Path.GetDirectoryName(shim));
        var nextToShims = root is null ? [] : new[] { Path.Combine(root, "bin", manager.Name), Path.Combine(root, "libexec", manager.Name) };
        foreach (var candidate in nextToShims.Where(File.Exists).Prepend(manager.Name))
        {
            if (seen.Add(candidate))
            {
                yield return candidate;
            }
        }
    }

    [GeneratedRegex(@"&&|\|\||[;|&\n()]")]
    private static partial Regex CommandSeparators();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*=")]
    private static partial Regex Assignment();

    // A shim script's exec line: exec "/root/.pyenv/libexec/pyenv" exec "$program" "$@", exec asdf exec …, exec mise x -- …
    [GeneratedRegex(@"\bexec\s+[""']?(?<path>(?:[^\s""']*/)?(?<manager>pyenv|rbenv|nodenv|goenv|jenv|plenv|phpenv|tfenv|asdf|mise|rtx))[""']?\s+(?:exec|x)\b")]
    private static partial Regex ShimScript();

    static List<string> Words(string segment)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        char? quote = null;
        foreach (var c in segment)
        {
            if (quote is { } q)
            {
                if (c == q)
                {
                    quote = null;
                }
                else
                {
                    word.Append(c);
                }
            }
            else if (c is '\'' or '"')
            {
                quote = c;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return words;
    }
}
