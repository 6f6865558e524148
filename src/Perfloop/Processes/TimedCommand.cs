using System.Buffers;

namespace Perfloop.Processes;

/// <summary>
/// The spec for a timed run of a user's shell command line. A line of plain words naming an executable file is
/// started without <c>/bin/sh</c>, so no shell start (~0.5 ms, measured against hyperfine's shell-corrected
/// times in bench/RESULTS.md) dilutes every ratio of a short benchmark; <c>PWD</c> is set as the shell would.
/// Anything the shell would interpret — quotes, escapes, expansions, globs, redirections, operators, comments,
/// an assignment, a builtin or reserved word, a file without <c>#!</c> or ELF header — keeps the shell, so the
/// command means exactly what it meant.
/// </summary>
public static class TimedCommand
{
    // Characters with no meaning to the shell in an unquoted word; '=' is safe after the first word only.
    static readonly SearchValues<char> PlainCharacters =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./,:+@%-=");

    // dash's builtins and reserved words: run by the shell itself, whatever PATH holds.
    static readonly HashSet<string> ShellOwnWords = new(StringComparer.Ordinal)
    {
        ".", ":", "[", "alias", "bg", "break", "cd", "chdir", "command", "continue", "echo", "eval", "exec", "exit",
        "export", "false", "fc", "fg", "getopts", "hash", "jobs", "kill", "local", "printf", "pwd", "read", "readonly",
        "return", "set", "shift", "test", "times", "trap", "true", "type", "ulimit", "umask", "unalias", "unset", "wait",
        "case", "do", "done", "elif", "else", "esac", "fi", "for", "if", "in", "then", "until", "while",
    };

    public static CommandSpec For(string commandLine, string workingDirectory)
    {
        var shell = CommandSpec.Shell(commandLine, workingDirectory);
        var words = PlainWords(commandLine);
        if (words is null || !OperatingSystem.IsLinux())
        {
            return shell;
        }

        var directory = Path.GetFullPath(workingDirectory);
        var executable = LinuxChild.TryResolveExecutable(words[0], Environment.GetEnvironmentVariable("PATH"), directory);
        if (executable is null || !StartsLikeAProgram(executable))
        {
            return shell;
        }

        return new CommandSpec(words[0], words[1..], workingDirectory)
        {
            Environment = new Dictionary<string, string?> { ["PWD"] = directory },
        };
    }

    /// <summary>The words of a line the shell would pass through untouched, or null when it would interpret something.</summary>
    internal static string[]? PlainWords(string commandLine)
    {
        var words = commandLine.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0 || ShellOwnWords.Contains(words[0]) || words[0].Contains('=', StringComparison.Ordinal))
        {
            return null;
        }

        return words.All(w => !w.AsSpan().ContainsAnyExcept(PlainCharacters)) ? words : null;
    }

    // execve runs these itself; a file without either would be run by the shell as a script (ENOEXEC).
    static bool StartsLikeAProgram(string path)
    {
        try
        {
            Span<byte> head = stackalloc byte[4];
            using var file = File.OpenRead(path);
            var read = file.ReadAtLeast(head, 4, throwOnEndOfStream: false);
            return (read >= 2 && head[0] == '#' && head[1] == '!') || (read == 4 && head[0] == 0x7F && head[1] == 'E' && head[2] == 'L' && head[3] == 'F');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
