using Perfloop.Fidelity;
using Perfloop.Git;
using Perfloop.IntegrationTests.Fixtures;
using Perfloop.Processes;

namespace Perfloop.IntegrationTests.Fidelity;

/// <summary>Real git, real diff drivers: the hunk → function mapping on a C#, a C and a Python file, and a new file.</summary>
public sealed class ChangedFunctionsGitTests
{
    [Fact]
    public async Task Git_names_the_changed_functions_of_each_language_and_leaves_the_index_alone()
    {
        using var repo = new TempGitRepository();
        repo.Write("src/Report.cs", """
            namespace Shop;

            public static class Report
            {
                public static string Build(int[] values)
                {
                    var text = "";
                    foreach (var v in values)
                    {
                        text += v + "\n";
                    }

                    return text;
                }

                public static int Sum(int[] values) => values.Sum();
            }
            """);
        repo.Write("native/scan.c", "#include <stdio.h>\n\nstatic int scan(const char *s)\n{\n    int n = 0;\n    while (*s)\n        n += *s++ == ' ';\n    return n;\n}\n\nint main(void)\n{\n    return scan(\"a b\");\n}\n");
        repo.Write("tools/stats.py", "import math\n\n\nclass Summary:\n    def mean(self, values):\n        total = 0\n        for v in values:\n            total += v\n        return total / len(values)\n");
        repo.CommitAll("code");

        repo.Write("src/Report.cs", repo.Read("src/Report.cs").Replace("text += v + \"\\n\";", "text += $\"{v}\\n\";", StringComparison.Ordinal));
        repo.Write("native/scan.c", repo.Read("native/scan.c").Replace("n += *s++ == ' ';", "n += (*s++ == ' ');", StringComparison.Ordinal));
        repo.Write("tools/stats.py", repo.Read("tools/stats.py").Replace("        total = 0\n        for v in values:\n            total += v\n        return total / len(values)", "        return math.fsum(values) / len(values)", StringComparison.Ordinal));
        repo.Write("src/Extra.cs", "namespace Shop;\n\npublic static class Extra\n{\n    public static int Twice(int x)\n    {\n        return x * 2;\n    }\n}\n");

        var repository = await GitRepository.OpenAsync(new ProcessRunner(), repo.Root);
        var paths = await repository.ChangedPathsAsync();
        var diff = await ChangedFunctions.DiffAsync(repository, paths, CancellationToken.None);
        var changes = ChangedFunctions.Parse(diff, p => File.ReadAllLines(Path.Combine(repo.Root, p)));

        Assert.Equal(
            ["Extra.Twice", "Report.Build", "scan", "Summary.mean"],
            changes.Functions.OrderBy(f => f.Language == "csharp" ? 0 : f.Language == "c" ? 1 : 2).ThenBy(f => f.DisplayName, StringComparer.Ordinal).Select(f => f.DisplayName));
        Assert.Empty(changes.Unattributed);
        // The new file is back to untracked, nothing is staged, and no attributes file was left in the repository.
        Assert.Contains("?? src/Extra.cs", repo.Git("status", "--porcelain"));
        Assert.Equal("", repo.Git("diff", "--cached", "--name-only"));
        Assert.False(File.Exists(Path.Combine(repo.Root, ".git", "info", "attributes")));
    }

    [Fact]
    public async Task Git_names_changed_functions_in_java_go_rust_and_javascript_with_perfloops_own_javascript_pattern()
    {
        using var repo = new TempGitRepository();
        repo.Write("src/Main.java", "public class Main {\n    static long hot(long n) {\n        long s = 0;\n        return s + n;\n    }\n}\n");
        repo.Write("scan.go", "package main\n\nfunc (s *Scanner) Hot(n int) int {\n\ta := 1\n\treturn a + n\n}\n");
        repo.Write("src/lib.rs", "pub struct Scanner;\n\nimpl Scanner {\n    pub fn hot(&self, n: u64) -> u64 {\n        let a = 1;\n        a + n\n    }\n}\n");
        repo.Write("scan.js", "class Scanner {\n  hot(n) {\n    let s = 0;\n    if (n > 1) {\n      s = 2;\n    }\n    return s;\n  }\n}\nconst warm = (n) => {\n  let x = 1;\n  return x + n;\n};\n");
        repo.CommitAll("code");
        repo.Write("src/Main.java", repo.Read("src/Main.java").Replace("long s = 0;", "long s = 1;", StringComparison.Ordinal));
        repo.Write("scan.go", repo.Read("scan.go").Replace("a := 1", "a := 2", StringComparison.Ordinal));
        repo.Write("src/lib.rs", repo.Read("src/lib.rs").Replace("let a = 1;", "let a = 2;", StringComparison.Ordinal));
        repo.Write("scan.js", repo.Read("scan.js").Replace("s = 2;", "s = 3;", StringComparison.Ordinal).Replace("let x = 1;", "let x = 2;", StringComparison.Ordinal));

        var repository = await GitRepository.OpenAsync(new ProcessRunner(), repo.Root);
        var paths = await repository.ChangedPathsAsync();
        var diff = await ChangedFunctions.DiffAsync(repository, paths, CancellationToken.None);
        var changes = ChangedFunctions.Parse(diff, p => File.ReadAllLines(Path.Combine(repo.Root, p)));

        // The JavaScript change inside "if (n > 1) {" belongs to hot: the pattern rejects control statements.
        Assert.Equal(
            ["go Scanner.Hot", "java Main.hot", "javascript hot", "javascript warm", "rust Scanner.hot"],
            changes.Functions.Select(f => $"{f.Language} {f.DisplayName}").Order(StringComparer.Ordinal));
        Assert.Empty(changes.Unattributed);
    }
}

