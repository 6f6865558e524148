using System.Collections;
using System.Text;

namespace Perfloop.Safety;

/// <summary>
/// The one place where secrets inherited from the environment are kept out of what Perfloop writes: the values
/// of variables whose names look secret (tokens, keys, passwords, credentials) are replaced by
/// <c>[redacted:NAME]</c> in logs, reasons, the journal and results rows. Commands still receive them.
/// </summary>
public sealed class SecretRedactor
{
    /// <summary>Name fragments that mark a variable as secret (matched case-insensitively).</summary>
    public static IReadOnlyList<string> SecretNameFragments { get; } =
        ["TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASSPHRASE", "API_KEY", "APIKEY", "ACCESS_KEY", "PRIVATE_KEY", "CREDENTIAL", "AUTH", "COOKIE", "SESSION_KEY", "_PAT", "_KEY"];

    /// <summary>Shorter values are too likely to be ordinary words or numbers that also appear in honest output.</summary>
    public const int MinimumSecretLength = 6;

    readonly List<(string Name, string Value)> secrets;

    public SecretRedactor(IEnumerable<KeyValuePair<string, string>> environment)
    {
        secrets = environment
            .Where(e => IsSecretName(e.Key) && e.Value.Length >= MinimumSecretLength)
            // Longest first, so a secret containing another is replaced whole.
            .OrderByDescending(e => e.Value.Length)
            .Select(e => (e.Key, e.Value))
            .ToList();
    }

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
        foreach (var (_, value) in secrets)
        {
            if (bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(value)) >= 0)
            {
                return Encoding.UTF8.GetBytes(Redact(Encoding.UTF8.GetString(bytes)));
            }
        }

        return bytes;
    }

    static IEnumerable<KeyValuePair<string, string>> ProcessEnvironment()
    {
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            yield return new((string)entry.Key, (string?)entry.Value ?? "");
        }
    }
}
