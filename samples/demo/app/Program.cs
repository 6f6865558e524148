using Demo;
using Demo.Tests;

// textlab: a small text analytics tool.
//   bench                  analyse a generated document (fixed seed) and print a short summary
//   oracle <file>          print the full report for a text file
//   export <file> [<csv>]  write the word frequencies of a text file as CSV (stdout when no <csv>)
//   selftest               run the built-in checks; exit code 1 when one fails
//   micro <target>         time one target alone and print a METRIC line (primes)
return args switch
{
    ["bench"] => Bench(),
    ["oracle", var path] => Oracle(path),
    ["export", var path] => Export(path, null),
    ["export", var path, var csvPath] => Export(path, csvPath),
    ["selftest"] => SelfTests.Run(Console.Out),
    ["micro", var target] => MicroBench.Run(target),
    _ => Usage(),
};

static int Bench()
{
    string text = WorkloadGenerator.Generate(seed: 20240607, wordCount: 70_000, vocabularySize: 1_500);
    TextAnalysis analysis = Analyzer.Analyze(text);
    string report = ReportBuilder.Build(analysis);

    Console.WriteLine($"words:    {analysis.Stats.TotalWords}");
    Console.WriteLine($"distinct: {analysis.Stats.DistinctWords}");
    Console.WriteLine($"top:      {string.Join(", ", analysis.Words.Take(5).Select(w => $"{w.Word}={w.Count}"))}");
    Console.WriteLine($"numbers:  {analysis.Numbers.Count} ({analysis.Numbers.PrimeCount} prime, {analysis.Numbers.PrimesUpToLimit} primes <= {analysis.Numbers.Limit})");
    Console.WriteLine($"report:   {report.Length} chars, hash {Fnv1a(report):x16}");
    return 0;
}

static int Oracle(string path)
{
    if (!File.Exists(path))
    {
        Console.Error.WriteLine($"error: no such file: {path}");
        return 2;
    }

    Console.Write(ReportBuilder.Build(Analyzer.Analyze(File.ReadAllText(path))));
    return 0;
}

static int Export(string path, string? csvPath)
{
    if (!File.Exists(path))
    {
        Console.Error.WriteLine($"error: no such file: {path}");
        return 2;
    }

    string csv = Archive.ExportCsv(Analyzer.Analyze(File.ReadAllText(path)));
    if (csvPath is null)
    {
        Console.Write(csv);
    }
    else
    {
        File.WriteAllText(csvPath, csv);
    }

    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("usage: Demo bench | oracle <file> | export <file> [<csv>] | selftest | micro primes");
    return 2;
}

static ulong Fnv1a(string s)
{
    ulong hash = 14695981039346656037;
    foreach (char c in s)
    {
        hash = (hash ^ c) * 1099511628211;
    }

    return hash;
}
