namespace Demo;

public readonly record struct WordCount(string Word, int Count);

public static class WordCounter
{
    /// <summary>
    /// Counts how often each word occurs. The result is ordered by count (highest first), then by
    /// word (ordinal), so equal counts always come out in the same order.
    /// </summary>
    public static List<WordCount> Count(IReadOnlyList<string> words)
    {
        var counts = new List<WordCount>();
        foreach (string word in words)
        {
            int index = counts.FindIndex(c => c.Word == word);
            if (index >= 0)
            {
                counts[index] = counts[index] with { Count = counts[index].Count + 1 };
            }
            else
            {
                counts.Add(new WordCount(word, 1));
            }
        }

        counts.Sort(ByCountThenWord);
        return counts;
    }

    private static int ByCountThenWord(WordCount x, WordCount y)
    {
        int byCount = y.Count.CompareTo(x.Count);
        return byCount != 0 ? byCount : string.CompareOrdinal(x.Word, y.Word);
    }
}
