using Perfloop.Implementers;

namespace Perfloop.Tests.Implementers;

/// <summary>The reason a patch does not apply, built from git's own messages (as git 2.39 writes them).</summary>
public class PatchApplicationTests
{
    const string Patch = """
        From 1 Mon Sep 17 00:00:00 2001
        Subject: [PATCH] Two hunks

        ---
        diff --git a/src/a.js b/src/a.js
        index 1111111..2222222 100644
        --- a/src/a.js
        +++ b/src/a.js
        @@ -3,7 +3,7 @@ function parse(text) {
         3
         4
         5
        -6
        +six
         7
         8
         9
        diff --git a/src/b.js b/src/b.js
        index 3333333..4444444 100644
        --- a/src/b.js
        +++ b/src/b.js
        @@ -3,3 +3,3 @@ function other() {
         x
        --- a/src/a.js
        +y
         z
        @@ -40,3 +40,3 @@ function render(rows) {
         p
        -q
        +r
        """;

    [Fact]
    public void A_failed_hunk_is_named_by_file_line_and_header_and_a_conflicting_merge_by_file()
    {
        var why = PatchApplication.Explain(Patch,
            "error: patch failed: src/b.js:40\nerror: src/b.js: patch does not apply\n",
            "Applied patch to 'src/b.js' with conflicts.\nU src/b.js\n");
        Assert.Equal("src/b.js: hunk @@ -40,3 +40,3 @@ function render(rows) { (line 40) does not match the file; a 3-way merge conflicts in src/b.js", why);
    }

    [Fact]
    public void A_removed_line_that_looks_like_a_file_header_does_not_move_the_hunk_to_another_file()
    {
        Assert.Null(PatchApplication.HunkHeader(Patch, "src/a.js", 40));
        Assert.Equal("@@ -3,7 +3,7 @@ function parse(text) {", PatchApplication.HunkHeader(Patch, "src/a.js", 3));
        Assert.Equal("@@ -3,3 +3,3 @@ function other() {", PatchApplication.HunkHeader(Patch, "src/b.js", 3));
    }

    [Fact]
    public void Without_base_blobs_the_reason_says_the_patch_comes_from_elsewhere()
    {
        var why = PatchApplication.Explain(Patch,
            "error: patch failed: src/a.js:3\nerror: src/a.js: patch does not apply\n",
            "error: repository lacks the necessary blob to perform 3-way merge.\nFalling back to direct application...\nerror: patch failed: src/a.js:3\nerror: src/a.js: patch does not apply\n");
        Assert.StartsWith("src/a.js: hunk @@ -3,7 +3,7 @@ function parse(text) { (line 3) does not match the file; no 3-way merge: the blobs on its index lines are not in this repository", why, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_gives_git_s_own_words_once()
    {
        var missing = "error: missing.sh: No such file or directory\n";
        Assert.Equal("missing.sh: No such file or directory", PatchApplication.Explain(Patch, missing, missing));
    }
}
