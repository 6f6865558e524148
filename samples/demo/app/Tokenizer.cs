using System.Globalization;

namespace Demo;

/// <summary>The words (lower-cased) and the numbers of a text, in the order they appear.</summary>
public sealed record TokenizedText(List<string> Words, List<long> Numbers);

public static class Tokenizer
{
    /// <summary>
    /// A word is a run of letters, with apostrophes allowed between letters ("don't", "jane's").
    /// A number is a run of ASCII digits. Everything else separates tokens.
    /// Words are lower-cased with the invariant culture, so "Über" and "über" are the same word.
    /// </summary>
    public static TokenizedText Tokenize(string text)
    {
        var words = new List<string>();
        var numbers = new List<long>();
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (char.IsLetter(c))
            {
                int start = i;
                i++;
                while (i < text.Length && (char.IsLetter(text[i]) || (text[i] == '\'' && i + 1 < text.Length && char.IsLetter(text[i + 1]))))
                {
                    i++;
                }

                words.Add(text.Substring(start, i - start).ToLowerInvariant());
            }
            else if (char.IsAsciiDigit(c))
            {
                int start = i;
                while (i < text.Length && char.IsAsciiDigit(text[i]))
                {
                    i++;
                }

                // Longer runs (card numbers, hashes) are not quantities; they would not fit a long anyway.
                if (i - start <= 18)
                {
                    numbers.Add(long.Parse(text.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture));
                }
            }
            else
            {
                i++;
            }
        }

        return new TokenizedText(words, numbers);
    }
}
