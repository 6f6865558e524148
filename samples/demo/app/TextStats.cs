namespace Demo;

public sealed record TextStats(int TotalWords, int DistinctWords, int TotalCharacters, string LongestWord)
{
    public double AverageWordLength => TotalWords == 0 ? 0 : (double)TotalCharacters / TotalWords;

    /// <summary>Totals over the words of a text; the longest word is the ordinal-first one among equals.</summary>
    public static TextStats Compute(IReadOnlyList<string> words)
    {
        var distinct = new HashSet<string>(StringComparer.Ordinal);
        int characters = 0;
        string longest = "";
        foreach (string word in words)
        {
            distinct.Add(word);
            characters += word.Length;
            if (word.Length > longest.Length || (word.Length == longest.Length && string.CompareOrdinal(word, longest) < 0))
            {
                longest = word;
            }
        }

        return new TextStats(words.Count, distinct.Count, characters, longest);
    }
}
