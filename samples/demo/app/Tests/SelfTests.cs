namespace Demo.Tests;

/// <summary>
/// The program's own checks (the guard): edge cases the sample inputs do not contain.
/// Prints one line per failed check and returns 1 when any check fails, 0 otherwise.
/// </summary>
public static class SelfTests
{
    public static int Run(TextWriter output)
    {
        var checks = new (string Name, Action Body)[]
        {
            ("empty input", EmptyInput),
            ("single word", SingleWord),
            ("punctuation", Punctuation),
            ("ties ordering", TiesOrdering),
            ("apostrophes", Apostrophes),
            ("unicode case folding", UnicodeCaseFolding),
            ("numbers", Numbers),
            ("primes n = 0, 1, 2, 3", SmallPrimeLimits),
            ("prime counts", PrimeCounts),
            ("no numbers", NoNumbers),
            ("longest word tie", LongestWordTie),
            ("report layout", ReportLayout),
            ("csv export", CsvExport),
        };

        int failed = 0;
        foreach (var (name, body) in checks)
        {
            try
            {
                body();
            }
            catch (Exception e)
            {
                failed++;
                output.WriteLine($"FAIL {name}: {e.GetType().Name}: {e.Message}");
            }
        }

        output.WriteLine(failed == 0 ? $"selftest: all {checks.Length} checks passed" : $"selftest: {failed} of {checks.Length} checks failed");
        return failed == 0 ? 0 : 1;
    }

    private static void EmptyInput()
    {
        TextAnalysis a = Analyzer.Analyze("");
        Equal(0, a.Stats.TotalWords, "total words");
        Equal(0, a.Words.Count, "distinct words");
        Equal(0, a.Numbers.Count, "numbers");
        string report = ReportBuilder.Build(a);
        True(report.Contains("words:          0\n", StringComparison.Ordinal), "report shows zero words");
        True(report.Contains("average length: 0.00\n", StringComparison.Ordinal), "average length of nothing is 0");
        True(report.EndsWith("word  count   share\n", StringComparison.Ordinal), "empty frequency table");
        Equal("word,count,share,rank\r\n", Archive.ExportCsv(a), "csv of nothing");
    }

    private static void SingleWord()
    {
        TextAnalysis a = Analyzer.Analyze("Hello");
        Equal("hello=1", Format(a.Words), "counts");
        Equal("hello", a.Stats.LongestWord, "longest word");
    }

    private static void Punctuation()
    {
        TextAnalysis a = Analyzer.Analyze("Hello, world! Hello... WORLD?! (hello) -world-");
        Equal("hello=3 world=3", Format(a.Words), "counts");
    }

    private static void TiesOrdering()
    {
        TextAnalysis a = Analyzer.Analyze("pear apple fig pear apple fig kiwi banana banana banana");
        Equal("banana=3 apple=2 fig=2 pear=2 kiwi=1", Format(a.Words), "count descending, then word ordinal");
    }

    private static void Apostrophes()
    {
        TextAnalysis a = Analyzer.Analyze("Don't stop: 'quoted' it's Jane's rock'n'roll '' x'");
        Equal("don't=1 it's=1 jane's=1 quoted=1 rock'n'roll=1 stop=1 x=1", Format(a.Words), "apostrophes inside words only");
    }

    private static void UnicodeCaseFolding()
    {
        TextAnalysis a = Analyzer.Analyze("Über über ÜBER Café CAFÉ straße ΣΟΦΙΑ σοφια 東京");
        Equal("über=3 café=2 σοφια=2 straße=1 東京=1", Format(a.Words), "invariant lower-casing");
    }

    private static void Numbers()
    {
        TextAnalysis a = Analyzer.Analyze("In 1997 there were 7 cats, 8 dogs, 11 birds and 0 fish; mp3 x2.");
        Equal(7, a.Numbers.Count, "numbers found");
        Equal(5, a.Numbers.PrimeCount, "primes among them (1997, 7, 11, 3, 2)");
        Equal(1997, a.Numbers.Limit, "limit");
        Equal(1997, a.Numbers.LargestPrime, "largest prime");
    }

    private static void SmallPrimeLimits()
    {
        Equal("", string.Join(",", PrimeScanner.PrimesUpTo(0)), "n = 0");
        Equal("", string.Join(",", PrimeScanner.PrimesUpTo(1)), "n = 1");
        Equal("2", string.Join(",", PrimeScanner.PrimesUpTo(2)), "n = 2");
        Equal("2,3", string.Join(",", PrimeScanner.PrimesUpTo(3)), "n = 3");
        Equal("", string.Join(",", PrimeScanner.PrimesUpTo(-5)), "negative n");
    }

    private static void PrimeCounts()
    {
        Equal("2,3,5,7,11,13,17,19,23,29", string.Join(",", PrimeScanner.PrimesUpTo(30)), "n = 30");
        Equal(25, PrimeScanner.PrimesUpTo(100).Count, "pi(100)");
        Equal(168, PrimeScanner.PrimesUpTo(1000).Count, "pi(1000)");
        Equal(1229, PrimeScanner.PrimesUpTo(10_000).Count, "pi(10000)");
        NumberSummary s = PrimeScanner.Summarize([1000]);
        Equal(997, s.LargestPrime, "largest prime <= 1000");
        Equal(20, s.LargestGap, "largest gap <= 1000");
        Equal(887, s.GapStart, "gap start");
    }

    private static void NoNumbers()
    {
        NumberSummary s = Analyzer.Analyze("no digits here").Numbers;
        Equal(new NumberSummary(0, 0, 0, 0, 0, 0, 0), s, "summary");
        NumberSummary one = Analyzer.Analyze("1 and 1").Numbers;
        Equal(new NumberSummary(2, 0, 1, 0, 0, 0, 0), one, "summary of ones");
    }

    private static void LongestWordTie()
    {
        Equal("apple", Analyzer.Analyze("pear zebra apple fig").Stats.LongestWord, "ordinal-first among equal lengths");
        Equal(3, Analyzer.Analyze("pear zebra apple fig pear").Stats.DistinctWords - 1, "distinct words");
    }

    private static void ReportLayout()
    {
        string expected =
            "== Summary ==\n" +
            "words:          3\n" +
            "distinct words: 2\n" +
            "characters:     8\n" +
            "average length: 2.67\n" +
            "longest word:   beta\n" +
            "\n== Top 10 ==\n" +
            " 1. ab (2)\n" +
            " 2. beta (1)\n" +
            "\n== Numbers ==\n" +
            "numbers:        1\n" +
            "prime numbers:  1\n" +
            "primes <= 13: 6\n" +
            "largest prime:  13\n" +
            "largest gap:    4 (after 7)\n" +
            "\n== Frequencies ==\n" +
            "word  count   share\n" +
            "ab        2   66.67%\n" +
            "beta      1   33.33%\n";
        Equal(expected, ReportBuilder.Build(Analyzer.Analyze("Ab beta, AB 13")), "report");
    }

    private static void CsvExport()
    {
        Equal("word,count,share,rank\r\nab,2,66.6667,1\r\nbeta,1,33.3333,2\r\n", Archive.ExportCsv(Analyzer.Analyze("ab beta ab")), "csv");
    }

    private static string Format(IEnumerable<WordCount> words) => string.Join(" ", words.Select(w => $"{w.Word}={w.Count}"));

    private static void Equal<T>(T expected, T actual, string what)
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
        {
            throw new InvalidOperationException($"{what}: expected <{expected}>, got <{actual}>");
        }
    }

    private static void True(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException(what);
        }
    }
}
