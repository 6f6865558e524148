using System.Globalization;
using System.Text;
using Perfloop.IntegrationTests.Fixtures;

namespace Perfloop.IntegrationTests.Hostile;

/// <summary>What every hostile case must end with: one clear line, the right exit code, and nothing of the user's lost.</summary>
static class OneClearLine
{
    public static TheoryData<HostileSetupTests.HostileCase> TheoryOf(IEnumerable<HostileSetupTests.HostileCase> cases)
    {
        var data = new TheoryData<HostileSetupTests.HostileCase>();
        foreach (var c in cases)
        {
            data.Add(c);
        }

        return data;
    }

    /// <summary>Spoils <paramref name="repo"/>, runs the CLI with the arguments the case gives, and checks the line and that nothing of the user's changed.</summary>
    public static void Check(TempGitRepository repo, HostileSetupTests.HostileCase hostile)
    {
        var arguments = hostile.Spoil(repo);
        var before = Snapshot(repo);
        var result = PerfloopProcess.Run(repo.Root, arguments);
        Assert(hostile, result);
        Xunit.Assert.Equal(before, Snapshot(repo));
    }

    /// <summary>The exit code, and exactly one line on stderr (indented progress lines may precede it) with the expected words; no stack trace.</summary>
    public static void Assert(HostileSetupTests.HostileCase hostile, PerfloopProcess.Result result)
    {
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("  ", StringComparison.Ordinal)).ToList();
        Xunit.Assert.True(hostile.ExitCode == result.ExitCode, $"exit {result.ExitCode}; stderr: {result.Stderr}; stdout: {result.Stdout}");
        Xunit.Assert.Single(lines);
        Xunit.Assert.StartsWith("perfloop: ", lines[0], StringComparison.Ordinal);
        Xunit.Assert.Contains(hostile.Expected, lines[0], StringComparison.Ordinal);
        Xunit.Assert.DoesNotContain("   at ", result.Stderr + result.Stdout, StringComparison.Ordinal);
        Xunit.Assert.DoesNotContain("internal error", result.Stderr, StringComparison.Ordinal);
        Xunit.Assert.DoesNotContain("Unhandled exception", result.Stderr, StringComparison.Ordinal);
    }

    /// <summary>
    /// Everything of the user's: every file outside .git and .perfloop byte for byte, HEAD and the branch, the index, the
    /// stash, and the markers of a git operation in progress (MERGE_HEAD, rebase-merge/ …).
    /// </summary>
    public static string Snapshot(TempGitRepository repo)
    {
        var separator = Path.DirectorySeparatorChar;
        var files = Directory.EnumerateFiles(repo.Root, "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{separator}.git{separator}", StringComparison.Ordinal) && !f.Contains($"{separator}.perfloop{separator}", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(f => $"{Path.GetRelativePath(repo.Root, f)}\n{Convert.ToHexString(File.ReadAllBytes(f))}");
        var git = Path.Combine(repo.Root, ".git");
        var markers = new[] { "MERGE_HEAD", "CHERRY_PICK_HEAD", "REVERT_HEAD", "BISECT_LOG", "rebase-merge", "rebase-apply", "sequencer" }
            .Where(m => File.Exists(Path.Combine(git, m)) || Directory.Exists(Path.Combine(git, m)));
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"HEAD {repo.Git("rev-parse", "HEAD").Trim()} {File.ReadAllText(Path.Combine(git, "HEAD")).Trim()}\n");
        text.Append("index ").Append(repo.Git("ls-files", "--stage")).Append('\n');
        text.Append("stash ").Append(repo.Git("stash", "list")).Append('\n');
        text.Append("in progress ").Append(string.Join(",", markers)).Append('\n');
        text.Append(string.Join("\n---\n", files));
        return text.ToString();
    }
}
