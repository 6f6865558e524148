using System.Text;

namespace Perfloop.Git;

/// <summary>
/// Repository paths as strings without losing a byte. A file name is bytes on Linux; one that is not valid UTF-8
/// cannot survive a .NET string (the decoder turns it into U+FFFD and git then finds no such file). Such a path,
/// and one that starts with a double quote, is kept in git's own C-quoted form (<c>"f\351.txt"</c>, as
/// <c>git status</c> prints it); every other path is its plain text. The form is ASCII where it matters, survives
/// JSON, and goes back to git byte for byte through <c>--pathspec-from-file</c>, which unquotes it.
/// </summary>
public static class GitPaths
{
    static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>True when <paramref name="path"/> is in the quoted form (its raw name is not valid UTF-8, or starts with a quote).</summary>
    public static bool IsQuoted(string path) => path.Length >= 2 && path[0] == '"' && path[^1] == '"';

    /// <summary>The path for one raw name: its text, or the quoted form when the text would not give the bytes back.</summary>
    public static string FromBytes(ReadOnlySpan<byte> name)
    {
        if (name.Length > 0 && name[0] != (byte)'"')
        {
            try
            {
                return StrictUtf8.GetString(name);
            }
            catch (DecoderFallbackException)
            {
            }
        }

        return name.Length == 0 ? "" : Quote(name);
    }

    /// <summary>The raw bytes a path stands for.</summary>
    public static byte[] ToBytes(string path) => IsQuoted(path) && TryUnquote(path, out var bytes) ? bytes : Encoding.UTF8.GetBytes(path);

    /// <summary>The path for people and pattern checks: the quoted form decoded, invalid bytes shown as U+FFFD.</summary>
    public static string Display(string path) => IsQuoted(path) ? Encoding.UTF8.GetString(ToBytes(path)) : path;

    /// <summary>Splits NUL-separated raw git output (the -z formats) into paths.</summary>
    public static IReadOnlyList<string> SplitNul(ReadOnlySpan<byte> output)
    {
        var paths = new List<string>();
        while (output.Length > 0)
        {
            var end = output.IndexOf((byte)0);
            var entry = end < 0 ? output : output[..end];
            if (entry.Length > 0)
            {
                paths.Add(FromBytes(entry));
            }

            output = end < 0 ? [] : output[(end + 1)..];
        }

        return paths;
    }

    /// <summary>
    /// Stdin for <c>git --literal-pathspecs … --pathspec-from-file=-</c>: one C-quoted line per path, so names with
    /// newlines, quotes, backslashes or bytes that are not UTF-8 all reach git exactly.
    /// </summary>
    public static string PathspecLines(IEnumerable<string> paths)
    {
        var text = new StringBuilder();
        foreach (var path in paths)
        {
            text.Append(Quote(ToBytes(path))).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>git's quote_c_style: \" \\ \a \b \t \n \v \f \r, and octal escapes for control bytes and bytes of 0x80 and above.</summary>
    public static string Quote(ReadOnlySpan<byte> name)
    {
        var text = new StringBuilder(name.Length + 2).Append('"');
        foreach (var b in name)
        {
            switch (b)
            {
                case (byte)'"': text.Append("\\\""); break;
                case (byte)'\\': text.Append("\\\\"); break;
                case 0x07: text.Append("\\a"); break;
                case 0x08: text.Append("\\b"); break;
                case 0x09: text.Append("\\t"); break;
                case 0x0A: text.Append("\\n"); break;
                case 0x0B: text.Append("\\v"); break;
                case 0x0C: text.Append("\\f"); break;
                case 0x0D: text.Append("\\r"); break;
                default:
                    if (b < 0x20 || b >= 0x7F)
                    {
                        text.Append('\\').Append((char)('0' + ((b >> 6) & 7))).Append((char)('0' + ((b >> 3) & 7))).Append((char)('0' + (b & 7)));
                    }
                    else
                    {
                        text.Append((char)b);
                    }

                    break;
            }
        }

        return text.Append('"').ToString();
    }

    static bool TryUnquote(string quoted, out byte[] bytes)
    {
        var result = new List<byte>(quoted.Length);
        var plain = new StringBuilder();
        bytes = [];
        for (var i = 1; i < quoted.Length - 1; i++)
        {
            var c = quoted[i];
            if (c != '\\')
            {
                if (c == '"')
                {
                    return false;
                }

                plain.Append(c);
                continue;
            }

            // Plain text between escapes is UTF-8 as a whole (a surrogate pair must be encoded together).
            result.AddRange(Encoding.UTF8.GetBytes(plain.ToString()));
            plain.Clear();

            if (++i >= quoted.Length - 1)
            {
                return false;
            }

            c = quoted[i];
            switch (c)
            {
                case '"': result.Add((byte)'"'); break;
                case '\\': result.Add((byte)'\\'); break;
                case 'a': result.Add(0x07); break;
                case 'b': result.Add(0x08); break;
                case 't': result.Add(0x09); break;
                case 'n': result.Add(0x0A); break;
                case 'v': result.Add(0x0B); break;
                case 'f': result.Add(0x0C); break;
                case 'r': result.Add(0x0D); break;
                default:
                    if (c is < '0' or > '3' || i + 2 >= quoted.Length - 1 || quoted[i + 1] is < '0' or > '7' || quoted[i + 2] is < '0' or > '7')
                    {
                        return false;
                    }

                    result.Add((byte)(((c - '0') << 6) | ((quoted[i + 1] - '0') << 3) | (quoted[i + 2] - '0')));
                    i += 2;
                    break;
            }
        }

        result.AddRange(Encoding.UTF8.GetBytes(plain.ToString()));
        bytes = [.. result];
        return true;
    }
}
