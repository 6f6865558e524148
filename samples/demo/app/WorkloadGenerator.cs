using System.Text;

namespace Demo;

/// <summary>
/// Generates a deterministic English-looking document for the benchmark: sentences of words drawn
/// from a synthetic vocabulary, with punctuation, capitals, a few accented words and numbers.
/// Uses its own xorshift generator so the text never depends on the runtime's Random.
/// </summary>
public static class WorkloadGenerator
{
    private static readonly string[] CommonWords =
    [
        "the", "of", "and", "to", "in", "a", "is", "that", "for", "it",
        "as", "was", "with", "be", "by", "on", "not", "he", "this", "are",
    ];

    private static readonly string[] AccentedWords = ["café", "über", "naïve", "façade", "smörgåsbord", "élan", "déjà"];

    private static readonly string[] Syllables =
    [
        "ka", "lo", "mi", "ten", "ra", "vos", "bel", "nu", "dor", "sa",
        "qui", "fen", "ho", "tar", "ple", "zin", "gro", "ma", "lin", "ve",
    ];

    public static string Generate(ulong seed, int wordCount, int vocabularySize)
    {
        var vocabulary = BuildVocabulary(vocabularySize);
        ulong state = seed | 1;
        var text = new StringBuilder(wordCount * 8);
        bool sentenceStart = true;

        for (int i = 0; i < wordCount; i++)
        {
            ulong r = Next(ref state);
            string word;
            if (r % 100 < 2)
            {
                // A number: years, quantities, identifiers.
                text.Append((Next(ref state) % 120_000) + 2).Append(' ');
                continue;
            }

            if (r % 100 < 22)
            {
                word = CommonWords[(int)(Next(ref state) % (ulong)CommonWords.Length)];
            }
            else if (r % 100 < 23)
            {
                word = AccentedWords[(int)(Next(ref state) % (ulong)AccentedWords.Length)];
            }
            else
            {
                word = vocabulary[(int)(Next(ref state) % (ulong)vocabulary.Length)];
            }

            if (sentenceStart)
            {
                text.Append(char.ToUpperInvariant(word[0])).Append(word, 1, word.Length - 1);
                sentenceStart = false;
            }
            else
            {
                text.Append(word);
            }

            switch (Next(ref state) % 20)
            {
                case 0:
                    text.Append(". ");
                    sentenceStart = true;
                    break;
                case 1:
                    text.Append(", ");
                    break;
                case 2:
                    text.Append("'s ");
                    break;
                default:
                    text.Append(' ');
                    break;
            }
        }

        return text.ToString();
    }

    private static string[] BuildVocabulary(int size)
    {
        var words = new string[size];
        for (int i = 0; i < size; i++)
        {
            // Spell i in base 20 with syllables: distinct indexes give distinct words.
            var word = new StringBuilder();
            int n = i + Syllables.Length;
            while (n > 0)
            {
                word.Append(Syllables[n % Syllables.Length]);
                n /= Syllables.Length;
            }

            words[i] = word.ToString();
        }

        return words;
    }

    private static ulong Next(ref ulong state)
    {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state * 2685821657736338717UL;
    }
}
