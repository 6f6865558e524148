using System.Text.Json;
using Perfloop.Configuration;

namespace Perfloop.IntegrationTests.Fixtures;

/// <summary>
/// One small benchmark program per language, each with a known hot function (most of the work), a cold one (about 1%
/// of it, a thousandth for the JVM, which runs it interpreted) and one the benchmark never calls; run plain they take well under a second.
/// </summary>
public sealed record LanguageProject(string Language, IReadOnlyDictionary<string, string> Files, string Build, string Bench, string Hot, string Cold, string Unused)
{
    /// <summary>Where the hot function's body is edited (an edit that keeps the output) and where the unused one's is.</summary>
    public required (string File, string From, string To) HotEdit { get; init; }

    public required (string File, string From, string To) UnusedEdit { get; init; }

    public static readonly LanguageProject C = new(
        "c",
        new Dictionary<string, string>
        {
            // -O2 inlines all three into main: the ranking must still name them (from their source lines).
            ["src/scan.c"] = """
                #include <stdio.h>

                static long unused(long n)
                {
                    long s = 0;
                    for (long i = 0; i < n; i++)
                        s += i * i;
                    return s;
                }

                static long hot(long n)
                {
                    long s = 0;
                    for (long i = 0; i < n; i++)
                        s += (i * 31) % 7;
                    return s;
                }

                static long cold(long n)
                {
                    long s = 0;
                    for (long i = 0; i < n; i++)
                        s += (i ^ 5) % 3;
                    return s;
                }

                int main(int argc, char **argv)
                {
                    (void)argv;
                    long n = 1000000;
                    long r = hot(n) + cold(n / 100);
                    if (argc > 5)
                        r += unused(n);
                    printf("result %ld\n", r);
                    return 0;
                }
                """,
        },
        "cc -O2 -g -o scan src/scan.c",
        "./scan",
        "hot",
        "cold",
        "unused")
    {
        HotEdit = ("src/scan.c", "s += (i * 31) % 7;", "s += (31 * i) % 7;"),
        UnusedEdit = ("src/scan.c", "s += i * i;", "s += i * (i + 0);"),
    };

    public static readonly LanguageProject Python = new(
        "python",
        new Dictionary<string, string>
        {
            ["scan.py"] = """
                #!/usr/bin/env python3
                import sys


                class Scanner:
                    def hot(self, n):
                        s = 0
                        for i in range(n):
                            s += (i * 31) % 7
                        return s


                def cold(n):
                    s = 0
                    for i in range(n):
                        s += (i ^ 5) % 3
                    return s


                def unused(n):
                    return sum(i * i for i in range(n))


                def main():
                    n = 200000
                    r = Scanner().hot(n) + cold(n // 100)
                    if len(sys.argv) > 5:
                        r += unused(n)
                    print("result", r)


                if __name__ == "__main__":
                    main()
                """,
        },
        "python3 -m py_compile scan.py",
        "python3 scan.py",
        "Scanner.hot",
        "cold",
        "unused")
    {
        HotEdit = ("scan.py", "s += (i * 31) % 7", "s += (31 * i) % 7"),
        UnusedEdit = ("scan.py", "return sum(i * i for i in range(n))", "return sum(i * (i + 0) for i in range(n))"),
    };

    public static readonly LanguageProject Node = new(
        "node",
        new Dictionary<string, string>
        {
            ["scan.js"] = """
                'use strict';

                class Scanner {
                  hot(n) {
                    let s = 0;
                    for (let i = 0; i < n; i++) {
                      s += String(i * 31).length % 7;
                    }
                    return s;
                  }
                }

                function cold(n) {
                  let s = 0;
                  for (let i = 0; i < n; i++) {
                    s += String(i ^ 5).length % 3;
                  }
                  return s;
                }

                function unused(n) {
                  let s = 0;
                  for (let i = 0; i < n; i++) {
                    s += i * i;
                  }
                  return s;
                }

                const n = 5000000;
                let r = new Scanner().hot(n) + cold(n / 100);
                if (process.argv.length > 6) {
                  r += unused(n);
                }
                console.log('result ' + r);
                """,
        },
        "node --check scan.js",
        "node scan.js",
        "hot",
        "cold",
        "unused")
    {
        HotEdit = ("scan.js", "s += String(i * 31).length % 7;", "s += String(31 * i).length % 7;"),
        UnusedEdit = ("scan.js", "s += i * i;", "s += i * (i + 0);"),
    };

    public static readonly LanguageProject Java = new(
        "java",
        new Dictionary<string, string>
        {
            ["src/Main.java"] = """
                public class Main {
                    static long hot(long n) {
                        long s = 0;
                        for (long i = 0; i < n; i++) {
                            s += Long.toString(i * 31).length() % 7;
                        }
                        return s;
                    }

                    static long cold(long n) {
                        long s = 0;
                        for (long i = 0; i < n; i++) {
                            s += Long.toString(i ^ 5).length() % 3;
                        }
                        return s;
                    }

                    static long unused(long n) {
                        long s = 0;
                        for (long i = 0; i < n; i++) {
                            s += i * i;
                        }
                        return s;
                    }

                    public static void main(String[] args) {
                        // Long enough for JFR's 5 ms sampling to take dozens of samples: with a dozen, one sample that
                        // lands in cold is already 8%. cold runs after hot, partly interpreted: a ten-thousandth of the work keeps it small.
                        long n = 30000000;
                        long r = hot(n) + cold(n / 10000);
                        if (args.length > 5) {
                            r += unused(n);
                        }
                        System.out.println("result " + r);
                    }
                }
                """,
        },
        "javac -d classes src/Main.java",
        "java -cp classes Main",
        "Main.hot",
        "Main.cold",
        "Main.unused")
    {
        HotEdit = ("src/Main.java", "s += Long.toString(i * 31).length() % 7;", "s += Long.toString(31 * i).length() % 7;"),
        UnusedEdit = ("src/Main.java", "s += i * i;", "s += i * (i + 0);"),
    };

    /// <summary>A git repository holding the program, built, with a fast perfloop setup whose bench and oracle are <see cref="Bench"/>.</summary>
    public TempGitRepository Create()
    {
        var repo = new TempGitRepository();
        foreach (var (path, content) in Files)
        {
            repo.Write(path, content + "\n");
        }

        repo.Write(".gitignore", "scan\nclasses/\n__pycache__/\n");
        repo.Write(PerfloopConfig.FileName, $$"""
            {
              "bench": {{JsonSerializer.Serialize(Bench)}},
              "build": {{JsonSerializer.Serialize(Build)}},
              "oracles": [ { "command": {{JsonSerializer.Serialize(Bench)}} } ],
              {{ShellProject.FastMeasurement}},
              "timeouts": { "benchSeconds": 60, "buildSeconds": 60, "oracleSeconds": 60, "guardSeconds": 60 }
            }
            """);
        repo.CommitAll("program and perfloop setup");
        File.AppendAllText(Path.Combine(repo.Root, ".git", "info", "exclude"), ".perfloop/\n");
        var build = ShellRun(repo.Root, Build);
        Assert.True(build.ExitCode == 0, $"{Build}: {build.Output}");
        return repo;
    }

    public static (int ExitCode, string Output) ShellRun(string directory, string command)
    {
        var start = new System.Diagnostics.ProcessStartInfo("/bin/sh") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    public override string ToString() => Language;
}
