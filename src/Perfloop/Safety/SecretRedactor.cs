using System.Collections;
using System.Text;
using System.Text.RegularExpressions;

namespace Perfloop.Safety;

/// <summary>
/// The one place where secrets inherited from the environment are kept out of what Perfloop writes: the values
/// of variables whose names look secret (tokens, keys, passwords, credentials) are replaced by
/// <c>[redacted:NAME]</c> in logs, reasons, the journal and results rows. Commands still receive them.
/// </summary>
public sealed partial class SecretRedactor
{
    /// <summary>Name fragments that mark a variable as secret (matched case-insensitively).</summary>
    public static IReadOnlyList<string> SecretNameFragments { get; } =
        ["TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASSPHRASE", "API_KEY", "APIKEY", "ACCESS_KEY", "PRIVATE_KEY", "CREDENTIAL", "AUTH", "COOKIE", "SESSION_KEY", "_PAT", "_KEY"];

    /// <summary>Shorter values are too likely to be ordinary words or numbers that also appear in honest output.</summary>
    public const int MinimumSecretLength = 6;

    readonly List<(string Name, string Value)> secrets;

    public SecretRedactor(IEnumerable<KeyValuePair<string, string>> environment)
    {
        var pairs = environment.ToList();
        secrets = pairs
            .Where(e => IsSecretName(e.Key) && e.Value.Length >= MinimumSecretLength)
            .Select(e => (e.Key, e.Value))
            // A password inside a URL (DATABASE_URL=postgres://u:pw@h/db) is a secret whatever the variable is called.
            .Concat(pairs.SelectMany(e => UrlCredential().Matches(e.Value).Select(m => (e.Key, m.Groups["password"].Value))))
            .Where(e => e.Item2.Length >= MinimumSecretLength)
            .Distinct()
            // Longest first, so a secret containing another is replaced whole.
            .OrderByDescending(e => e.Item2.Length)
            .ToList();
    }

    /// <summary>The user-info password of a URL (<c>scheme://user:password@host</c>).</summary>
    [GeneratedRegex(@"(?<prefix>\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s:/@]*:)(?<password>[^\s@/]+)(?=@)", RegexOptions.CultureInvariant)]
    private static partial Regex UrlCredential();

    /// <summary>The redactor for this process's environment, read once at first use.</summary>
    public static SecretRedactor Current { get; } = new(ProcessEnvironment());

    public static bool IsSecretName(string name)
    {
        var upper = name.ToUpperInvariant();
        return SecretNameFragments.Any(f => f.StartsWith('_') ? upper.EndsWith(f, StringComparison.Ordinal) || upper.Contains(f + "_", StringComparison.Ordinal) : upper.Contains(f, StringComparison.Ordinal));
    }

    public string Redact(string text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        // Any URL's password goes, known or not (a build printing a connection string from a file): postgres://u:***@h/db.
        if (text.Contains("://", StringComparison.Ordinal))
        {
            text = UrlCredential().Replace(text, "${prefix}***");
        }

        foreach (var (name, value) in secrets)
        {
            if (text.Contains(value, StringComparison.Ordinal))
            {
                text = text.Replace(value, $"[redacted:{name}]", StringComparison.Ordinal);
            }
        }

        return text;
    }

    /// <summary>Raw output bytes are kept byte for byte unless a secret is in them (only then are they re-encoded).</summary>
    public byte[] Redact(byte[] bytes)
    {
        var hasSecret = secrets.Any(s => bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(s.Value)) >= 0)
            // Latin-1 maps each byte to one char, so the URL check sees the bytes as they are.
            || (bytes.AsSpan().IndexOf("://"u8) >= 0 && UrlCredential().IsMatch(Encoding.Latin1.GetString(bytes)));
        return hasSecret ? Encoding.UTF8.GetBytes(Redact(Encoding.UTF8.GetString(bytes))) : bytes;
    }

    static IEnumerable<KeyValuePair<string, string>> ProcessEnvironment()
    {
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            yield return new((string)entry.Key, (string?)entry.Value ?? "");
        }
    }
}
