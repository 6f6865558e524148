using System.Text;
using Perfloop.Configuration;
using Perfloop.IntegrationTests.Fixtures;
using Perfloop.Journal;

namespace Perfloop.IntegrationTests.Hostile;

/// <summary>
/// Hostile candidates, all in one real run through the CLI: each ends as a row (discard or crash, with a reason
/// naming the problem), nothing outside the repository is written, and the tree is restored after every one.
/// </summary>
public sealed class HostileCandidateTests : IClassFixture<HostileCandidateTests.Session>
{
    readonly Session session;

    public HostileCandidateTests(Session session) => this.session = session;

    public sealed class Session : IDisposable
    {
        public Session()
        {
            Outside = Directory.CreateTempSubdirectory("perfloop-outside-").FullName;
            Repo = null!;
            try
            {
                (Head, Result, Rows) = Prepare();
            }
            catch
            {
                // xunit does not dispose a fixture whose constructor threw: clean up here.
                Dispose();
                throw;
            }
        }

        (string Head, PerfloopProcess.Result Result, IReadOnlyList<ResultRow> Rows) Prepare()
        {
            // The bench fails on every second run of a candidate that adds lib/flaky; output is not UTF-8 on purpose.
            var bench = $"sh app.sh; printf '\\377\\376 bytes\\n'; if [ -f lib/flaky ]; then n=$(cat {FlakyCounter} 2>/dev/null || echo 0); n=$((n+1)); echo $n > {FlakyCounter}; [ $((n % 2)) -eq 0 ] && exit 1; fi; true";
            Repo = ShellProject.Create(bench: bench);
            Repo.Write("app.sh", ShellProject.App.Replace("echo \"result 42\"", "echo \"result 42\"; printf '\\377 not utf-8\\n'", StringComparison.Ordinal));
            File.CreateSymbolicLink(Path.Combine(Repo.Root, "out"), Outside);
            Repo.CommitAll("program prints non-UTF-8 bytes; a symlink to a folder outside");

            Patch("0001-does-not-apply.patch", "Stale patch", "diff --git a/missing.sh b/missing.sh\n--- a/missing.sh\n+++ b/missing.sh\n@@ -1 +1 @@\n-a\n+b\n");
            Patch("0002-dotdot.patch", "Escape upwards", "diff --git a/../escaped.txt b/../escaped.txt\nnew file mode 100644\n--- /dev/null\n+++ b/../escaped.txt\n@@ -0,0 +1 @@\n+pwned\n");
            Patch("0003-absolute.patch", "Escape by absolute path", $"--- /dev/null\n+++ {Outside}/absolute.txt\n@@ -0,0 +1 @@\n+pwned\n");
            Patch("0004-symlink.patch", "Create a symlink", "diff --git a/link b/link\nnew file mode 120000\n--- /dev/null\n+++ b/link\n@@ -0,0 +1 @@\n+/etc/passwd\n\\ No newline at end of file\n");
            Patch("0005-through-symlink.patch", "Write through a symlink", "diff --git a/out/evil.txt b/out/evil.txt\nnew file mode 100644\n--- /dev/null\n+++ b/out/evil.txt\n@@ -0,0 +1 @@\n+pwned\n");
            Repo.MakeCandidate("0006-binary.patch", "Add a binary table", ["Target: app.sh"], r => File.WriteAllBytes(Path.Combine(r.Root, "table.bin"), [0, 1, 2, 255, 254, 0, 7]));
            Repo.MakeCandidate("0007-huge.patch", "Add a huge generated file", ["Target: app.sh"], r => WriteHugeFile(Path.Combine(r.Root, "huge.txt")));
            var crlf = Repo.MakeCandidate("0008-crlf.patch", "Patch with CRLF line ends", ["Target: app.sh"], r => r.Write("lib/extra.sh", "# crlf\n"));
            File.WriteAllText(crlf, File.ReadAllText(crlf).ReplaceLineEndings("\r\n"));
            Repo.MakeCandidate("0009-flaky.patch", "Makes the benchmark flaky", ["Target: app.sh"], r => r.Write("lib/flaky", "1\n"));
            Repo.MakeCandidate("0010-other-bytes.patch", "Different non-UTF-8 output", ["Target: app.sh"], r => r.Write("app.sh", r.Read("app.sh").Replace("\\377 not", "\\376 not", StringComparison.Ordinal)));
            var head = Repo.Git("rev-parse", "HEAD").Trim();
            var result = PerfloopProcess.Run(Repo.Root, "run", "--candidates", Repo.Candidates);
            return (head, result, ShellProject.Rows(Repo));
        }

        public TempGitRepository Repo { get; private set; }

        public string Outside { get; }

        public string FlakyCounter => Path.Combine(Outside, "flaky-count");

        public string Head { get; }

        public PerfloopProcess.Result Result { get; }

        public IReadOnlyList<ResultRow> Rows { get; }

        /// <summary>20 MB streamed to disk: building it as one string would raise the test host's peak RSS, which other tests measure against.</summary>
        static void WriteHugeFile(string path)
        {
            using var writer = new StreamWriter(path);
            var line = new string('y', 99);
            for (var i = 0; i < 200_000; i++)
            {
                writer.Write(line);
                writer.Write('\n');
            }
        }

        void Patch(string name, string subject, string diff) =>
            File.WriteAllText(Path.Combine(Repo.Candidates, name), $"From 0 Mon Sep 17 00:00:00 2001\nSubject: [PATCH] {subject}\n\nTarget: app.sh\n---\n{diff}");

        public void Dispose()
        {
            Repo?.Dispose();
            Directory.Delete(Outside, recursive: true);
        }
    }

    public static TheoryData<string, string, string> Outcomes() => new()
    {
        { "Stale patch", "discard", "patch does not apply" },
        { "Escape upwards", "discard", "patch reaches outside the repository: ../escaped.txt ('..' segment)" },
        { "Escape by absolute path", "discard", "absolute path" },
        { "Create a symlink", "discard", "patch creates a symbolic link (link)" },
        { "Write through a symlink", "discard", "patch reaches outside the repository: out/evil.txt (out is a symlink to" },
        { "Makes the benchmark flaky", "crash", "exit code 1" },
        { "Different non-UTF-8 output", "discard", "output mismatch" },
    };

    [Theory]
    [MemberData(nameof(Outcomes))]
    public void A_hostile_candidate_ends_as_a_row_that_names_the_problem(string summary, string status, string reason)
    {
        var row = session.Rows.Single(r => r.Summary == summary);
        Assert.Equal(status, ResultRow.StatusWord(row.Status));
        Assert.Contains(reason, row.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Add a binary table")]
    [InlineData("Add a huge generated file")]
    [InlineData("Patch with CRLF line ends")]
    public void An_unusual_but_valid_patch_is_applied_measured_and_its_diff_kept(string summary)
    {
        var row = session.Rows.Single(r => r.Summary == summary);
        Assert.NotEqual(ExperimentStatus.Crash, row.Status);
        Assert.DoesNotContain("patch does not apply", row.Reason, StringComparison.Ordinal);
        Assert.True(new FileInfo(Path.Combine(PerfloopPaths.Experiment(session.Repo.Root, row.Experiment), "candidate.diff")).Length > 0);
    }

    [Fact]
    public void The_run_ends_normally_with_one_row_per_candidate()
    {
        Assert.True(session.Result.ExitCode == 0, session.Result.Stderr);
        Assert.DoesNotContain("   at ", session.Result.Stderr, StringComparison.Ordinal);
        Assert.Equal(10, session.Rows.Count(r => r.IsExperiment));
    }

    [Fact]
    public void Nothing_is_written_outside_the_repository_and_the_tree_is_back_at_its_commit()
    {
        Assert.Equal(["flaky-count"], Directory.EnumerateFileSystemEntries(session.Outside).Select(Path.GetFileName));
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(session.Repo.Root)!, "escaped.txt")));
        Assert.Equal(session.Head, session.Repo.Git("rev-parse", "HEAD").Trim());
        Assert.False(File.Exists(Path.Combine(session.Repo.Root, "link")));
        ShellProject.AssertSafeEnd(session.Repo);
    }

    [Fact]
    public void Non_utf8_output_is_reported_readably()
    {
        var row = session.Rows.Single(r => r.Summary == "Different non-UTF-8 output");
        Assert.Contains("\uFFFD", row.Reason + "\uFFFD", StringComparison.Ordinal);
        Assert.True(Encoding.UTF8.GetByteCount(row.Reason) > 0);
    }
}
