using System.Security.Cryptography;
using System.Text;
using Perfloop.Processes;

namespace Perfloop.Oracle;

/// <summary>What one oracle command produced: exit code, stdout (hash and head) and the hashes of its named files.</summary>
public sealed record OracleOutput(
    string Command,
    int ExitCode,
    string StdoutSha256,
    long StdoutBytes,
    byte[] StdoutHead,
    IReadOnlyDictionary<string, string?> FileHashes)
{
    public static OracleOutput From(string command, ProcessResult result, IReadOnlyDictionary<string, string?> files) =>
        new(command, result.ExitCode, result.StdoutSha256, result.StdoutBytes, Safety.SecretRedactor.Current.Redact(result.StdoutHead), files);

    /// <summary>Null when <paramref name="actual"/> matches this output, else what differs, in words.</summary>
    public string? Difference(OracleOutput actual)
    {
        if (actual.ExitCode != ExitCode)
        {
            return $"exit code {actual.ExitCode} instead of {ExitCode}";
        }

        if (actual.StdoutSha256 != StdoutSha256)
        {
            return $"stdout differs {FirstDifferentLine(StdoutHead, actual.StdoutHead, StdoutBytes, actual.StdoutBytes)}";
        }

        foreach (var (file, hash) in FileHashes)
        {
            var other = actual.FileHashes.GetValueOrDefault(file);
            if (other != hash)
            {
                return other is null ? $"output file {file} is missing" : hash is null ? $"output file {file} appeared" : $"output file {file} differs";
            }
        }

        return null;
    }

    static string FirstDifferentLine(byte[] expected, byte[] actual, long expectedBytes, long actualBytes)
    {
        var a = Encoding.UTF8.GetString(expected).Split('\n');
        var b = Encoding.UTF8.GetString(actual).Split('\n');
        for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            if (a[i] != b[i])
            {
                return $"at line {i + 1}: expected '{Shorten(a[i])}', got '{Shorten(b[i])}'";
            }
        }

        return a.Length != b.Length
            ? $"in length: {a.Length} lines expected, {b.Length} produced"
            : $"beyond the captured head ({expectedBytes} bytes expected, {actualBytes} produced)";
    }

    static string Shorten(string line)
    {
        line = line.TrimEnd('\r');
        return line.Length <= 80 ? line : line[..77] + "...";
    }

    internal static string? HashFile(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
