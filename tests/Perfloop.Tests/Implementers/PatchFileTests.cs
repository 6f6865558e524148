using Perfloop.Implementers;

namespace Perfloop.Tests.Implementers;

public class PatchFileTests
{
    const string Patch = """
        From 5e1f0c2a9d3b7e6f4a2c1b0d9e8f7a6b5c4d3e2f Mon Sep 17 00:00:00 2001
        From: Dev <dev@example.com>
        Date: Thu, 26 Nov 2026 10:00:00 +0000
        Subject: [PATCH 2/7] Use a Dictionary for word counts instead of a
         linear list search

        The list lookup made counting O(n*k).

        Target: WordCounter.Count word frequency lookup
        Category: data-structure
        Strategy: data-structure
        Impact: ~45% of runtime
        ---
         WordCounter.cs | 10 +++++-----
         1 file changed, 5 insertions(+), 5 deletions(-)

        diff --git a/WordCounter.cs b/WordCounter.cs
        index 1111111..2222222 100644
        --- a/WordCounter.cs
        +++ b/WordCounter.cs
        @@ -1 +1 @@
        -Target: this is not a trailer
        +x
        """;

    [Fact]
    public void Subject_is_unfolded_and_its_PATCH_prefix_stripped()
    {
        var patch = PatchFile.Parse("0002.patch", Patch);
        Assert.Equal("Use a Dictionary for word counts instead of a linear list search", patch.Subject);
    }

    [Fact]
    public void Trailers_come_from_the_message_body_not_the_diff()
    {
        var candidate = PatchFile.Parse("0002.patch", Patch).ToCandidate();
        Assert.Equal("WordCounter.Count word frequency lookup", candidate.Target);
        Assert.Equal("data-structure", candidate.Category);
        Assert.Equal("data-structure", candidate.Strategy);
        Assert.Equal("~45% of runtime", candidate.EstimatedImpact);
    }

    [Theory]
    [InlineData("[PATCH] Fix it", "Fix it")]
    [InlineData("[PATCH v2 3/4] Fix it", "Fix it")]
    [InlineData("[RFC][PATCH] Fix it", "Fix it")]
    [InlineData("Re: [PATCH] Fix it", "Fix it")]
    [InlineData("Fix [the] thing", "Fix [the] thing")]
    public void Subject_prefixes_are_stripped_like_git_am(string subject, string expected) =>
        Assert.Equal(expected, PatchFile.StripSubjectPrefixes(subject));

    [Fact]
    public void Without_a_Target_trailer_the_subject_is_the_target()
    {
        var text = "From 1 Mon Sep 17 00:00:00 2001\nSubject: [PATCH] Faster parse\n\n---\ndiff --git a/x b/x\n";
        var candidate = PatchFile.Parse("p.patch", text).ToCandidate();
        Assert.Equal("Faster parse", candidate.Target);
        Assert.Equal("", candidate.Category);
    }

    [Fact]
    public void Crlf_patches_parse_the_same()
    {
        var patch = PatchFile.Parse("0002.patch", Patch.ReplaceLineEndings("\r\n"));
        Assert.Equal("data-structure", patch.Trailer("Category"));
    }
}
