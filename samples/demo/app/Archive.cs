using System.Globalization;

namespace Demo;

/// <summary>Exports an analysis for other tools (the <c>export</c> command).</summary>
public static class Archive
{
    /// <summary>CSV (RFC 4180) with a header: word, count, share in percent, rank.</summary>
    public static string ExportCsv(TextAnalysis analysis)
    {
        string csv = "word,count,share,rank\r\n";
        int rank = 0;
        foreach (WordCount entry in analysis.Words)
        {
            rank++;
            double share = 100.0 * entry.Count / analysis.Stats.TotalWords;
            csv += Quote(entry.Word) + "," + entry.Count.ToString(CultureInfo.InvariantCulture) + ","
                + share.ToString("0.0000", CultureInfo.InvariantCulture) + "," + rank.ToString(CultureInfo.InvariantCulture) + "\r\n";
        }

        return csv;
    }

    private static string Quote(string field)
    {
        bool needsQuotes = false;
        foreach (char c in field)
        {
            if (c is ',' or '"' or '\r' or '\n')
            {
                needsQuotes = true;
            }
        }

        return needsQuotes ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;
    }
}
