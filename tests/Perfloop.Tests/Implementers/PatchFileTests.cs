using Perfloop.Errors;
using Perfloop.Implementers;
using Perfloop.Processes;

namespace Perfloop.Tests.Implementers;

/// <summary>Patches are read by the real <c>git mailinfo</c> (a few milliseconds, no repository), as git am reads them.</summary>
public sealed class PatchFileTests : IDisposable
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

    const string Diff = "---\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n";

    readonly DirectoryInfo directory = Directory.CreateTempSubdirectory("perfloop-patchfile-");

    public void Dispose() => directory.Delete(recursive: true);

    Task<PatchFile> ReadAsync(string text, string name = "0001.patch")
    {
        var path = Path.Combine(directory.FullName, name);
        File.WriteAllText(path, text);
        return PatchFile.ReadAsync(path, new ProcessRunner());
    }

    [Fact]
    public async Task Subject_is_unfolded_and_its_PATCH_prefix_stripped()
    {
        var patch = await ReadAsync(Patch);
        Assert.Equal("Use a Dictionary for word counts instead of a linear list search", patch.Subject);
    }

    [Fact]
    public async Task Trailers_come_from_the_message_body_not_the_diff()
    {
        var candidate = (await ReadAsync(Patch)).ToCandidate();
        Assert.Equal("WordCounter.Count word frequency lookup", candidate.Target);
        Assert.Equal("data-structure", candidate.Category);
        Assert.Equal("data-structure", candidate.Strategy);
        Assert.Equal("~45% of runtime", candidate.EstimatedImpact);
    }

    [Fact]
    public async Task The_author_date_and_body_come_with_the_candidate()
    {
        var candidate = (await ReadAsync(Patch)).ToCandidate();
        Assert.Equal(new Perfloop.Git.CommitAuthor("Dev", "dev@example.com", new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero)), candidate.Author);
        Assert.StartsWith("The list lookup made counting O(n*k).\n\nTarget: WordCounter.Count", candidate.Body, StringComparison.Ordinal);
        Assert.EndsWith("Impact: ~45% of runtime", candidate.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_q_encoded_subject_folded_over_lines_is_decoded()
    {
        // What git format-patch writes for the subject "Optimize PipeTable O(n²) → O(n)".
        var patch = await ReadAsync("""
            From 1 Mon Sep 17 00:00:00 2001
            From: Dev <dev@example.com>
            Subject: [PATCH] =?UTF-8?q?Optimize=20PipeTable=20O(n=C2=B2)=20=E2=86=92?=
             =?UTF-8?q?=20O(n)?=
            MIME-Version: 1.0
            Content-Type: text/plain; charset=UTF-8
            Content-Transfer-Encoding: 8bit

            Strategy: algorithm

            """ + Diff);
        Assert.Equal("Optimize PipeTable O(n²) → O(n)", patch.Subject);
        Assert.Equal("Optimize PipeTable O(n²) → O(n)", patch.ToCandidate().Target);
        Assert.Equal("algorithm", patch.Trailer("Strategy"));
    }

    [Fact]
    public async Task A_b_encoded_subject_and_an_encoded_author_are_decoded()
    {
        var patch = await ReadAsync("""
            From 1 Mon Sep 17 00:00:00 2001
            From: =?UTF-8?q?Zo=C3=AB=20=C3=85ngstr=C3=B6m?= <zoe@example.com>
            Date: Thu, 2 Jan 2020 03:04:05 +0130
            Subject: [PATCH v2 3/4] =?UTF-8?b?T3B0aW1pemUgTyhuwrIpIOKGkiBPKG4pIGluIFBpcGVUYWJsZQ==?=

            """ + Diff);
        Assert.Equal("Optimize O(n²) → O(n) in PipeTable", patch.Subject);
        Assert.Equal(new Perfloop.Git.CommitAuthor("Zoë Ångström", "zoe@example.com", new DateTimeOffset(2020, 1, 2, 3, 4, 5, TimeSpan.FromMinutes(90))), patch.Author);
    }

    [Fact]
    public async Task A_quoted_printable_body_is_decoded_before_its_trailers_are_read()
    {
        var patch = await ReadAsync("""
            From 1 Mon Sep 17 00:00:00 2001
            From: Dev <dev@example.com>
            Subject: [PATCH] Faster
            MIME-Version: 1.0
            Content-Type: text/plain; charset=UTF-8
            Content-Transfer-Encoding: quoted-printable

            Avoids the =C3=BCber-slow path.

            Target: Parser.=C3=9Cbersetzen
            Category: algorithm

            """ + Diff);
        Assert.Equal("Parser.Übersetzen", patch.Trailer("Target"));
        Assert.Equal("Avoids the über-slow path.\n\nTarget: Parser.Übersetzen\nCategory: algorithm", patch.Body);
    }

    [Theory]
    [InlineData("[PATCH] Fix it", "Fix it")]
    [InlineData("[PATCH v2 3/4] Fix it", "Fix it")]
    [InlineData("[RFC][PATCH] Fix it", "Fix it")]
    [InlineData("Re: [PATCH] Fix it", "Fix it")]
    [InlineData("Fix [the] thing", "Fix [the] thing")]
    public async Task Subject_prefixes_are_stripped_like_git_am(string subject, string expected)
    {
        var patch = await ReadAsync($"From 1 Mon Sep 17 00:00:00 2001\nFrom: Dev <dev@example.com>\nSubject: {subject}\n\n" + Diff);
        Assert.Equal(expected, patch.Subject);
    }

    [Fact]
    public async Task Without_a_Target_trailer_the_subject_is_the_target()
    {
        var candidate = (await ReadAsync("From 1 Mon Sep 17 00:00:00 2001\nSubject: [PATCH] Faster parse\n\n" + Diff)).ToCandidate();
        Assert.Equal("Faster parse", candidate.Target);
        Assert.Equal("", candidate.Category);
        Assert.Null(candidate.Author);
    }

    [Fact]
    public async Task A_plain_diff_is_summarized_by_its_file_name_and_authored_locally()
    {
        var patch = await ReadAsync(Diff[4..], "inline-the-hot-loop.diff");
        Assert.Equal("inline-the-hot-loop", patch.Subject);
        Assert.Null(patch.Author);
        Assert.Equal("", patch.Body);
        Assert.Empty(patch.Trailers);
    }

    [Fact]
    public async Task An_empty_file_git_mailinfo_refuses_is_still_a_candidate_named_by_its_file()
    {
        var patch = await ReadAsync("", "0003-empty.patch");
        Assert.Equal("0003-empty", patch.Subject);
        Assert.Null(patch.Author);
    }

    [Fact]
    public async Task Crlf_patches_parse_the_same()
    {
        var patch = await ReadAsync(Patch.ReplaceLineEndings("\r\n"));
        Assert.Equal("data-structure", patch.Trailer("Category"));
        Assert.Equal("Use a Dictionary for word counts instead of a linear list search", patch.Subject);
        Assert.DoesNotContain('\r', patch.Body);
    }

    [Fact]
    public async Task A_missing_candidates_folder_is_a_usage_error_not_a_crash()
    {
        var error = await Assert.ThrowsAsync<PerfloopException>(() => PatchSeries.LoadAsync(Path.Combine(directory.FullName, "nowhere"), new ProcessRunner()));
        Assert.Contains("--candidates: directory not found", Perfloop.Errors.Mention.ForCommandLine(error.Message), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Thu, 2 Jan 2020 03:04:05 +0130", "2020-01-02T03:04:05+01:30")]
    [InlineData("Thu, 2 Jan 2020 03:04:05 +0100 (CET)", "2020-01-02T03:04:05+01:00")]
    [InlineData("2 Jan 2020 03:04:05 -0800", "2020-01-02T03:04:05-08:00")]
    [InlineData("Thu, 02 Jan 2020 03:04:05 GMT", "2020-01-02T03:04:05+00:00")]
    public void Mail_dates_keep_their_zone(string text, string expected) =>
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), PatchFile.MailDate(text));

    [Theory]
    [InlineData("")]
    [InlineData("the day before yesterday")]
    public void A_date_that_is_not_one_leaves_the_date_to_the_commit(string text) => Assert.Null(PatchFile.MailDate(text));

    [Fact]
    public void Mailinfo_output_without_an_email_has_no_author()
    {
        var patch = PatchFile.FromMailInfo("p.patch", "Author: \nEmail: \nSubject: Faster\nDate: \n\n", "Strategy: caching\n");
        Assert.Null(patch.Author);
        Assert.Equal("Faster", patch.Subject);
        Assert.Equal("caching", patch.Trailer("Strategy"));
    }
}
