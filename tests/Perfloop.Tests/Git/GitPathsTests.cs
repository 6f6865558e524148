using System.Text;
using Perfloop.Git;
using Perfloop.Safety;

namespace Perfloop.Tests.Git;

public sealed class GitPathsTests
{
    [Fact]
    public void A_utf8_name_stays_plain_text()
    {
        Assert.Equal("src/größe.cs", GitPaths.FromBytes(Encoding.UTF8.GetBytes("src/größe.cs")));
        Assert.False(GitPaths.IsQuoted("src/größe.cs"));
    }

    [Fact]
    public void A_latin1_name_is_kept_in_git_s_quoted_form_and_gives_the_bytes_back()
    {
        byte[] raw = [.. "f"u8, 0xE9, .. ".txt"u8];
        var path = GitPaths.FromBytes(raw);

        Assert.Equal("\"f\\351.txt\"", path);
        Assert.True(GitPaths.IsQuoted(path));
        Assert.Equal(raw, GitPaths.ToBytes(path));
        Assert.Equal("f\uFFFD.txt", GitPaths.Display(path));
    }

    [Theory]
    [InlineData("\"starts with a quote")]
    [InlineData("new\nline")]
    [InlineData("tab\there")]
    [InlineData("back\\slash")]
    [InlineData("*.c")]
    [InlineData("-rf")]
    [InlineData("日本語/ファイル.txt")]
    public void Every_name_round_trips_through_the_pathspec_lines(string name)
    {
        var path = GitPaths.FromBytes(Encoding.UTF8.GetBytes(name));
        var line = GitPaths.PathspecLines([path]).TrimEnd('\n');

        Assert.DoesNotContain('\n', line);
        Assert.Equal(Encoding.UTF8.GetBytes(name), GitPaths.ToBytes(line));
    }

    [Fact]
    public void A_name_starting_with_a_quote_is_quoted_so_it_cannot_be_mistaken_for_a_quoted_one()
    {
        var path = GitPaths.FromBytes("\"a\""u8);
        Assert.Equal("\"\\\"a\\\"\"", path);
        Assert.Equal("\"a\""u8.ToArray(), GitPaths.ToBytes(path));
    }

    [Fact]
    public void Nul_separated_output_splits_into_paths()
    {
        byte[] output = [.. "a.txt"u8, 0, .. "b"u8, 0xFF, 0];
        Assert.Equal(["a.txt", "\"b\\377\""], GitPaths.SplitNul(output));
    }

    [Fact]
    public void A_protected_folder_still_protects_a_name_that_is_not_utf8()
    {
        var guard = new ProtectedPaths([], []);
        Assert.Equal("a test folder", guard.Reason(GitPaths.FromBytes([.. "tests/x"u8, 0xE9, .. ".py"u8])));
        Assert.Equal("Perfloop's own configuration and state", guard.Reason(GitPaths.FromBytes([.. ".perfloop/"u8, 0xFF])));
    }
}
