using System.Diagnostics;

namespace Perfloop.IntegrationTests.Fixtures;

/// <summary>A real git repository in a temp folder, with helpers to write files, commit and make format-patch candidates.</summary>
public sealed class TempGitRepository : IDisposable
{
    public TempGitRepository()
    {
        Root = Directory.CreateTempSubdirectory("perfloop-it-").FullName;
        Candidates = Path.Combine(Path.GetDirectoryName(Root)!, Path.GetFileName(Root) + "-candidates");
        Directory.CreateDirectory(Candidates);
        Git("init", "-q", "-b", "main");
        Git("config", "user.email", "dev@example.com");
        Git("config", "user.name", "Dev");
        Git("config", "commit.gpgsign", "false");
    }

    public string Root { get; }

    public string Candidates { get; }

    public void Write(string path, string content)
    {
        var full = Path.Combine(Root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content.ReplaceLineEndings("\n"));
    }

    public string Read(string path) => File.ReadAllText(Path.Combine(Root, path));

    public void CommitAll(string message)
    {
        Git("add", "-A");
        Git("commit", "-q", "-m", message);
    }

    /// <summary>Makes a candidate patch from edits applied to HEAD, then puts the repository back at HEAD.</summary>
    public string MakeCandidate(string fileName, string subject, IEnumerable<string> trailers, Action<TempGitRepository> edit)
    {
        var head = Git("rev-parse", "HEAD").Trim();
        Git("checkout", "-q", "-b", "candidate-" + Guid.NewGuid().ToString("N")[..8]);
        edit(this);
        Git("add", "-A");
        Git("commit", "-q", "-m", subject + "\n\n" + string.Join("\n", trailers));
        var patch = Git("format-patch", "-1", "--stdout");
        Git("checkout", "-q", "main");
        Git("reset", "-q", "--hard", head);
        var path = Path.Combine(Candidates, fileName);
        File.WriteAllText(path, patch);
        return path;
    }

    public string Git(params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', arguments)} failed: {error}");
        }

        return output;
    }

    public void Dispose()
    {
        foreach (var directory in new[] { Root, Candidates })
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }
}
