using System.Text.RegularExpressions;
using Perfloop.Errors;
using Perfloop.Ranking;

namespace Perfloop.Profiling;

/// <summary>The runtimes Perfloop can record a profile of, each with its own profiler.</summary>
public enum BenchRuntime
{
    /// <summary>Compiled to machine code (C, C++, Rust, Go, Fortran…): valgrind's callgrind.</summary>
    Native,

    /// <summary>CPython: the standard library's cProfile.</summary>
    Python,

    /// <summary>Node.js: V8's CPU profiler (.cpuprofile).</summary>
    Node,

    /// <summary>A Java virtual machine: JDK Flight Recorder.</summary>
    Jvm,

    /// <summary>.NET: EventPipe sampling.</summary>
    DotNet,
}

/// <summary>What a command runs, as far as choosing a profiler needs.</summary>
/// <param name="Runtime">The runtime of the benchmark's code, or null when it cannot be told.</param>
/// <param name="Direct">The command is the runtime's own program with plain arguments (<c>python3 bench.py</c>), so a profiler may add its options to the argument list; otherwise the command runs unchanged and the profiler reaches the runtime through the environment (or, for native code, by following child processes).</param>
/// <param name="Words">For a direct command, the program and its arguments.</param>
/// <param name="Description">What was found ("Python: python3 bench.py", "native program ./hot started by bench.sh"), or why nothing was.</param>
public sealed record RuntimeDetection(BenchRuntime? Runtime, bool Direct, IReadOnlyList<string> Words, string Description)
{
    public static RuntimeDetection Unknown(string why) => new(null, false, [], why);
}

/// <summary>
/// Tells what a benchmark command runs, from the command's words, the program they resolve to, its ELF header or
/// <c>#!</c> line, and the text of the shell scripts it starts. Pure given its <see cref="IProgramProbe"/>.
/// </summary>
/// <remarks>
/// A shell script may start several things; the first interpreted runtime (Python, Node.js, a JVM, .NET) it starts
/// wins, since native programs beside it are usually tools (grep, sort); with none, the first native program inside
/// the repository. Build tools (make, cargo, go) are not followed: they compile before they run, and profiling the
/// compiler would rank the wrong code.
/// </remarks>
public static partial class RuntimeDetector
{
    const int MaxDepth = 4;

    static readonly HashSet<string> Shells = new(StringComparer.Ordinal) { "sh", "bash", "dash", "zsh", "ksh", "ash", "mksh" };

    static readonly HashSet<string> Wrappers = new(StringComparer.Ordinal) { "exec", "command", "nohup", "builtin" };

    static readonly HashSet<string> Keywords = new(StringComparer.Ordinal) { "if", "then", "else", "elif", "do", "while", "until", "!", "time" };

    /// <summary>Shell built-ins and everyday tools that never hold the benchmark's code.</summary>
    static readonly HashSet<string> Ignored = new(StringComparer.Ordinal)
    {
        "cd", "echo", "printf", "true", "false", ":", "export", "set", "unset", "test", "[", "[[", "read", "exit", "return", "sleep",
        "wait", "shift", "local", "fi", "done", "esac", "case", "for", "in", "trap", "ulimit", "umask", "mkdir", "rm", "cp", "mv",
        "cat", "tee", "head", "tail", "grep", "sed", "awk", "wc", "sort", "uniq", "tr", "cut", "date", "touch", "ls", "pwd", "basename", "dirname",
        "chmod", "ln", "readlink", "realpath", "mktemp", "seq", "xargs", "yes", "env", "hash", "type", "which", "let", "declare", "typeset", "eval",
    };

    static readonly HashSet<string> NodeLaunchers = new(StringComparer.Ordinal) { "npm", "npx", "yarn", "pnpm", "tsx", "ts-node" };

    static readonly HashSet<string> RunWrappers = new(StringComparer.Ordinal) { "uv", "poetry", "pipenv", "pdm", "hatch", "rye" };

    static readonly HashSet<string> BuildTools = new(StringComparer.Ordinal) { "make", "cmake", "ninja", "cargo", "go", "mvn", "mvnw", "gradle", "gradlew", "sbt", "bazel", "meson" };

    /// <summary>Detects what <paramref name="command"/> runs.</summary>
    /// <param name="command">One element: a shell command line; several: a program and its arguments.</param>
    /// <param name="directory">Where the command runs.</param>
    /// <param name="repositoryRoot">Tells the repository's programs from the system's.</param>
    /// <param name="probe">The file system.</param>
    public static RuntimeDetection Detect(IReadOnlyList<string> command, string directory, string repositoryRoot, IProgramProbe probe)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(probe);
        if (command.Count == 0)
        {
            return RuntimeDetection.Unknown("no command");
        }

        var context = new Context(repositoryRoot, probe);
        if (command.Count > 1)
        {
            return Context.Finish(context.Words(command, directory, canBeDirect: true, depth: 0), command);
        }

        var commands = ShellWords.Split(command[0]);
        if (commands.Count == 1 && commands[0].Plain)
        {
            return Context.Finish(context.Words(commands[0].Words, directory, canBeDirect: true, depth: 0), commands[0].Words);
        }

        return Context.Finish(context.ShellText(command[0], directory, "the shell command", depth: 0), []);
    }

    /// <summary>One simple command's finding.</summary>
    sealed record Found(BenchRuntime? Runtime, bool Direct, string Description, bool InsideRepository = true)
    {
        public static Found Nothing(string why) => new(null, false, why, false);
    }

    sealed class Context(string repositoryRoot, IProgramProbe probe)
    {
        public static RuntimeDetection Finish(Found found, IReadOnlyList<string> words) =>
            found.Runtime is null
                ? RuntimeDetection.Unknown(found.Description)
                : new RuntimeDetection(found.Runtime, found.Direct, found.Direct ? words : [], found.Description);

        public Found Words(IReadOnlyList<string> words, string directory, bool canBeDirect, int depth)
        {
            var i = 0;
            var stripped = false;
            while (i < words.Count)
            {
                var word = words[i];
                if (Assignment().IsMatch(word) || Keywords.Contains(word) || Wrappers.Contains(word))
                {
                    i++;
                    stripped = true;
                }
                else if (word == "env")
                {
                    i++;
                    while (i < words.Count && (words[i].StartsWith('-') || Assignment().IsMatch(words[i])))
                    {
                        i += words[i] is "-u" or "-C" ? 2 : 1;
                    }

                    stripped = true;
                }
                else if (word is "nice" or "timeout" or "stdbuf" or "taskset" or "chrt" or "ionice")
                {
                    // Their options, then (timeout, taskset, chrt) one operand before the command.
                    i++;
                    while (i < words.Count && words[i].StartsWith('-'))
                    {
                        i += words[i] is "-n" or "-s" or "-k" or "-c" or "-p" ? 2 : 1;
                    }

                    if (word is "timeout" or "taskset" or "chrt")
                    {
                        i++;
                    }

                    stripped = true;
                }
                else
                {
                    break;
                }
            }

            if (i >= words.Count)
            {
                return Found.Nothing("no program to run");
            }

            var program = words[i];
            var rest = words.Skip(i + 1).ToList();
            var name = Path.GetFileName(program);
            var direct = canBeDirect && !stripped && i == 0;
            var shown = string.Join(' ', words.Skip(i).Take(3)) + (words.Count - i > 3 ? " …" : "");

            if (Ignored.Contains(name))
            {
                return Found.Nothing($"'{name}' is a shell built-in or a system tool");
            }

            if (PythonName().IsMatch(name))
            {
                return new Found(BenchRuntime.Python, direct, $"Python ({shown})");
            }

            if (name is "node" or "nodejs")
            {
                return new Found(BenchRuntime.Node, direct, $"Node.js ({shown})");
            }

            if (name == "java")
            {
                return new Found(BenchRuntime.Jvm, false, $"a JVM ({shown})");
            }

            if (name == "dotnet")
            {
                return new Found(BenchRuntime.DotNet, false, $".NET ({shown})");
            }

            if (NodeLaunchers.Contains(name))
            {
                return new Found(BenchRuntime.Node, false, $"Node.js, through {name} ({shown})");
            }

            if (Shells.Contains(name))
            {
                return Shell(rest, directory, depth);
            }

            if (name is "." or "source")
            {
                return rest.Count > 0 ? Script(rest[0], directory, depth) : Found.Nothing("'.' without a file");
            }

            if (RunWrappers.Contains(name) && rest.Count > 1 && rest[0] == "run")
            {
                return depth >= MaxDepth ? Found.Nothing("too deeply nested") : Words(rest.Skip(1).ToList(), directory, canBeDirect: false, depth + 1);
            }

            if (BuildTools.Contains(name))
            {
                return Found.Nothing($"'{name}' builds before it runs, and profiling the build would rank the compiler; profile the program it builds itself (for example {Mention.Command("profile -- ./target/release/NAME")})");
            }

            var path = probe.Resolve(program, directory);
            if (path is null)
            {
                return Found.Nothing($"'{program}' is not found{(program.Contains('/', StringComparison.Ordinal) ? "" : " on PATH")}");
            }

            var file = probe.Inspect(path);
            if (file is null)
            {
                return Found.Nothing($"'{program}' cannot be read");
            }

            var inside = CodeOwnership.IsInside(path, repositoryRoot);
            if (file.Elf)
            {
                // A .NET app host is a small native launcher next to the app's .dll and .runtimeconfig.json.
                var stem = Path.Combine(Path.GetDirectoryName(path)!, Path.GetFileName(path));
                if (probe.Exists(stem + ".dll") && probe.Exists(stem + ".runtimeconfig.json"))
                {
                    return new Found(BenchRuntime.DotNet, false, $".NET app host ({shown})");
                }

                return new Found(BenchRuntime.Native, direct, $"native program ({shown})", inside);
            }

            if (file.Shebang is { } shebang)
            {
                return Interpreted(shebang, path, rest, directory, depth, shown);
            }

            return Script(path, directory, depth);
        }

        /// <summary>A script run through its <c>#!</c> line: the interpreter decides.</summary>
        Found Interpreted(string shebang, string path, IReadOnlyList<string> rest, string directory, int depth, string shown)
        {
            var words = shebang.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).ToList();
            if (words.Count == 0)
            {
                return Script(path, directory, depth);
            }

            var k = 0;
            if (Path.GetFileName(words[0]) == "env")
            {
                k = 1;
                while (k < words.Count && (words[k].StartsWith('-') || Assignment().IsMatch(words[k])))
                {
                    k++;
                }
            }

            if (k >= words.Count)
            {
                return Found.Nothing($"the #! line of {path} names no interpreter");
            }

            var interpreter = Path.GetFileName(words[k]);
            if (Shells.Contains(interpreter))
            {
                return Script(path, directory, depth);
            }

            if (depth >= MaxDepth)
            {
                return Found.Nothing("too deeply nested");
            }

            var found = Words([words[k], .. words.Skip(k + 1), path, .. rest], directory, canBeDirect: false, depth + 1);
            return found.Runtime is { } runtime ? found with { Description = $"{Name(runtime)} script with a #! line ({shown})", Direct = false } : found;
        }

        Found Shell(List<string> arguments, string directory, int depth)
        {
            for (var i = 0; i < arguments.Count; i++)
            {
                var argument = arguments[i];
                if (argument == "-c")
                {
                    return i + 1 < arguments.Count ? ShellText(arguments[i + 1], directory, "the shell command", depth + 1) : Found.Nothing("'sh -c' without a command");
                }

                if (argument is "-o" or "+o")
                {
                    i++;
                    continue;
                }

                if (!argument.StartsWith('-') && !argument.StartsWith('+'))
                {
                    return Script(argument, directory, depth);
                }
            }

            return Found.Nothing("a shell reading commands from its input");
        }

        Found Script(string script, string directory, int depth)
        {
            var path = probe.Resolve(script.Contains('/', StringComparison.Ordinal) ? script : "./" + script, directory) ?? probe.Resolve(script, directory);
            if (path is null)
            {
                return Found.Nothing($"the script '{script}' is not found");
            }

            var text = probe.ReadText(path);
            return text is null ? Found.Nothing($"the script '{script}' cannot be read") : ShellText(text, directory, Path.GetFileName(path), depth + 1);
        }

        public Found ShellText(string text, string directory, string what, int depth)
        {
            if (depth > MaxDepth)
            {
                return Found.Nothing("too deeply nested");
            }

            var cwd = directory;
            Found? native = null;
            string? firstReason = null;
            foreach (var command in ShellWords.Split(text))
            {
                var words = command.Words;
                if (words.Count == 2 && words[0] == "cd" && command.Plain)
                {
                    cwd = Path.GetFullPath(words[1], cwd);
                    continue;
                }

                var found = Words(words, cwd, canBeDirect: false, depth);
                if (found.Runtime is BenchRuntime.Native)
                {
                    if (found.InsideRepository)
                    {
                        native ??= found;
                    }

                    continue;
                }

                if (found.Runtime is not null)
                {
                    return found with { Direct = false, Description = $"{found.Description}, started by {what}" };
                }

                if (!found.Description.StartsWith('\'') || !found.Description.Contains("built-in", StringComparison.Ordinal))
                {
                    firstReason ??= found.Description;
                }
            }

            if (native is not null)
            {
                return native with { Direct = false, Description = $"{native.Description}, started by {what}" };
            }

            return Found.Nothing($"{what} runs no program of the repository and no Python, Node.js, JVM or .NET code that Perfloop can find{(firstReason is null ? "" : $" ({firstReason})")}");
        }
    }

    /// <summary>The runtime as a reader knows it.</summary>
    public static string Name(BenchRuntime runtime) => runtime switch
    {
        BenchRuntime.Native => "native",
        BenchRuntime.Python => "Python",
        BenchRuntime.Node => "Node.js",
        BenchRuntime.Jvm => "JVM",
        _ => ".NET",
    };

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*=")]
    private static partial Regex Assignment();

    [GeneratedRegex(@"^(python|pypy)(\d+(\.\d+)*)?$")]
    private static partial Regex PythonName();
}
