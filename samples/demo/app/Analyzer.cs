namespace Demo;

/// <summary>Everything the tool knows about one text.</summary>
public sealed record TextAnalysis(TextStats Stats, IReadOnlyList<WordCount> Words, NumberSummary Numbers);

public static class Analyzer
{
    public static TextAnalysis Analyze(string text)
    {
        TokenizedText tokens = Tokenizer.Tokenize(text);
        return new TextAnalysis(
            TextStats.Compute(tokens.Words),
            WordCounter.Count(tokens.Words),
            PrimeScanner.Summarize(tokens.Numbers));
    }
}
