using Perfloop.Safety;

namespace Perfloop.Tests.Safety;

public sealed class PatchPathsTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("perfloop-patchpaths-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    static string NewFile(string path) => $"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n@@ -0,0 +1 @@\n+x\n";

    [Fact]
    public void An_ordinary_patch_is_accepted()
    {
        var patch = "Subject: [PATCH] x\n\n---\ndiff --git a/src/a.c b/src/a.c\n--- a/src/a.c\n+++ b/src/a.c\n@@ -1,2 +1,2 @@\n-old\n+new\n ctx\n";
        Assert.Equal(["src/a.c"], PatchPaths.Named(patch));
        Assert.Null(PatchPaths.Problem(patch, root));
    }

    [Theory]
    [InlineData("../outside.txt", "'..' segment")]
    [InlineData("src/../../outside.txt", "'..' segment")]
    [InlineData(".git/hooks/pre-commit", "inside .git")]
    public void A_path_leading_out_is_refused_with_the_file_named(string path, string why)
    {
        var problem = PatchPaths.Problem(NewFile(path), root);
        Assert.Equal($"patch reaches outside the repository: {path} ({why})", problem);
    }

    [Theory]
    [InlineData(".perfloop/conventions.md")]
    [InlineData(".perfloop/planted.txt")]
    [InlineData("./.perfloop/experiment.json")]
    public void A_patch_into_perfloop_s_own_state_is_refused_before_it_is_applied(string path)
    {
        var problem = PatchPaths.Problem(NewFile(path), root);
        Assert.NotNull(problem);
        Assert.StartsWith($"patch touches Perfloop's own state: {path}", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_absolute_path_in_a_plain_unified_diff_is_refused()
    {
        var problem = PatchPaths.Problem("--- /dev/null\n+++ /etc/cron.d/evil\n@@ -0,0 +1 @@\n+x\n", root);
        Assert.Equal("patch reaches outside the repository: /etc/cron.d/evil (absolute path)", problem);
    }

    [Fact]
    public void A_new_symlink_is_refused()
    {
        var patch = "diff --git a/link b/link\nnew file mode 120000\n--- /dev/null\n+++ b/link\n@@ -0,0 +1 @@\n+/etc/passwd\n";
        Assert.Contains("creates a symbolic link (link)", PatchPaths.Problem(patch, root));
    }

    [Fact]
    public void A_path_through_a_symlink_that_leads_out_is_refused_but_one_inside_is_fine()
    {
        var outside = Directory.CreateTempSubdirectory("perfloop-out-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "real"));
            File.CreateSymbolicLink(Path.Combine(root, "out"), outside);
            File.CreateSymbolicLink(Path.Combine(root, "in"), Path.Combine(root, "real"));
            Assert.Contains("out is a symlink to", PatchPaths.Problem(NewFile("out/evil.txt"), root));
            Assert.Null(PatchPaths.Problem(NewFile("in/fine.txt"), root));
            Assert.Equal("out", PatchPaths.FirstSymlinkOut(["real", "out"], root)?.Path);
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    [Fact]
    public void Hunk_content_that_looks_like_a_header_is_not_read_as_a_path()
    {
        // A removed SQL comment line "-- see ../x" appears as "--- see ../x" inside the hunk.
        var patch = "diff --git a/q.sql b/q.sql\n--- a/q.sql\n+++ b/q.sql\n@@ -1,2 +1,1 @@\n--- see ../x\n select 1;\n";
        Assert.Equal(["q.sql"], PatchPaths.Named(patch));
        Assert.Null(PatchPaths.Problem(patch, root));
    }
}
