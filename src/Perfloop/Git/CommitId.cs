namespace Perfloop.Git;

/// <summary>How a commit is shown to people: its first 12 hex digits, enough to be unique in any real repository.</summary>
public static class CommitId
{
    public const int ShortLength = 12;

    /// <summary>The abbreviated id, or "?" for none.</summary>
    public static string Abbreviate(string? commit) =>
        string.IsNullOrEmpty(commit) ? "?" : commit[..Math.Min(ShortLength, commit.Length)];
}
