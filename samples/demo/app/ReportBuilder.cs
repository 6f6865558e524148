using System.Globalization;

namespace Demo;

public static class ReportBuilder
{
    public const int TopCount = 10;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The plain-text report: totals, the top words, the numbers, and the full frequency table.</summary>
    public static string Build(TextAnalysis analysis)
    {
        TextStats stats = analysis.Stats;
        NumberSummary numbers = analysis.Numbers;

        string report = "== Summary ==\n";
        report += "words:          " + stats.TotalWords.ToString(Invariant) + "\n";
        report += "distinct words: " + stats.DistinctWords.ToString(Invariant) + "\n";
        report += "characters:     " + stats.TotalCharacters.ToString(Invariant) + "\n";
        report += "average length: " + stats.AverageWordLength.ToString("0.00", Invariant) + "\n";
        report += "longest word:   " + (stats.LongestWord.Length > 0 ? stats.LongestWord : "-") + "\n";

        report += "\n== Top " + TopCount.ToString(Invariant) + " ==\n";
        for (int i = 0; i < analysis.Words.Count && i < TopCount; i++)
        {
            WordCount entry = analysis.Words[i];
            report += (i + 1).ToString(Invariant).PadLeft(2) + ". " + entry.Word + " (" + entry.Count.ToString(Invariant) + ")\n";
        }

        report += "\n== Numbers ==\n";
        report += "numbers:        " + numbers.Count.ToString(Invariant) + "\n";
        report += "prime numbers:  " + numbers.PrimeCount.ToString(Invariant) + "\n";
        report += "primes <= " + numbers.Limit.ToString(Invariant) + ": " + numbers.PrimesUpToLimit.ToString(Invariant) + "\n";
        report += "largest prime:  " + (numbers.LargestPrime > 0 ? numbers.LargestPrime.ToString(Invariant) : "-") + "\n";
        report += "largest gap:    " + (numbers.LargestGap > 0
            ? numbers.LargestGap.ToString(Invariant) + " (after " + numbers.GapStart.ToString(Invariant) + ")"
            : "-") + "\n";

        report += "\n== Frequencies ==\n";
        int width = "word".Length;
        foreach (WordCount entry in analysis.Words)
        {
            width = Math.Max(width, entry.Word.Length);
        }

        report += "word".PadRight(width) + "  count   share\n";
        foreach (WordCount entry in analysis.Words)
        {
            double share = 100.0 * entry.Count / stats.TotalWords;
            report += entry.Word.PadRight(width) + "  " + entry.Count.ToString(Invariant).PadLeft(5) + "  " + share.ToString("0.00", Invariant).PadLeft(6) + "%\n";
        }

        return report;
    }
}
