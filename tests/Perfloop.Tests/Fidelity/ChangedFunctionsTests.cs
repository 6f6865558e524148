using Perfloop.Fidelity;
using Perfloop.SourceCode;

namespace Perfloop.Tests.Fidelity;

/// <summary>
/// Hunk → function mapping on real <c>git diff -U0</c> output: the diff below was captured from git 2.39 with the
/// attributes Perfloop passes (<c>*.cs diff=csharp</c>, <c>*.c diff=cpp</c>, <c>*.py diff=python</c>) on a small C#,
/// C and Python repository; the integration tests run git itself.
/// </summary>
public class ChangedFunctionsTests
{
    const string Diff = """
        diff --git a/Cache.cs b/Cache.cs
        index 72c937e..a4621fc 100644
        --- a/Cache.cs
        +++ b/Cache.cs
        @@ -1,0 +2 @@
        +using System.Linq;
        @@ -22 +23 @@ private decimal Load(string sku)
        -        foreach (var c in sku)
        +        foreach (var c in sku.AsSpan())
        @@ -24 +25 @@ private decimal Load(string sku)
        -            total += c;
        +            total += c * 1m;
        @@ -30,0 +32,5 @@ private decimal Load(string sku)
        +
        +    public void Clear()
        +    {
        +        prices.Clear();
        +    }
        diff --git a/hot.c b/hot.c
        index 0b166b0..1481602 100644
        --- a/hot.c
        +++ b/hot.c
        @@ -2,0 +3 @@
        +#include <stdlib.h>
        @@ -18 +19 @@ long sum_of_divisors(int limit)
        -        for (int d = 1; d <= n; d++)
        +        for (int d = 1; d * d <= n; d++)
        diff --git a/stats.py b/stats.py
        index 347f76f..332ae71 100644
        --- a/stats.py
        +++ b/stats.py
        @@ -1,0 +2 @@
        +import statistics
        @@ -10 +11 @@ def add(self, value):
        -        index = int(value * self.bins)
        +        index = min(int(value * self.bins), self.bins - 1)
        @@ -15,4 +16 @@ def mean(values):
        -    total = 0
        -    for v in values:
        -        total += v
        -    return total / len(values)
        +    return math.fsum(values) / len(values)
        """;

    static readonly string[] CacheSource =
    [
        "using System.Collections.Generic;", "using System.Linq;", "", "namespace Shop;", "",
        "public sealed class PriceCache", "{", "    private readonly Dictionary<string, decimal> prices = new();", "",
    ];

    static CodeChanges Parse(Func<string, IReadOnlyList<string>?>? newFile = null) => ChangedFunctions.Parse(Diff, newFile ?? (_ => null));

    [Fact]
    public void CSharp_hunks_name_the_enclosing_method_and_a_new_method()
    {
        var cs = Parse().Functions.Where(f => f.Language == "csharp").Select(f => f.DisplayName).ToList();
        // Without the file's text the declaring type falls back to the file name.
        Assert.Equal(["Cache.Load", "Cache.Clear"], cs);
    }

    [Fact]
    public void CSharp_declaring_type_comes_from_the_nearest_type_declaration_above()
    {
        var lines = CacheSource.Concat(Enumerable.Repeat("    // body", 40)).ToList();
        var cs = Parse(path => path == "Cache.cs" ? lines : null).Functions.Where(f => f.Language == "csharp").Select(f => f.DisplayName);
        Assert.Equal(["PriceCache.Load", "PriceCache.Clear"], cs);
    }

    [Fact]
    public void C_hunk_names_the_function_and_an_include_alone_is_inert()
    {
        var changes = Parse();
        var c = Assert.Single(changes.Functions, f => f.Language == "c");
        Assert.Equal("sum_of_divisors", c.DisplayName);
        Assert.Equal("hot.c", c.Path);
        Assert.Empty(changes.Unattributed);
    }

    [Fact]
    public void Python_hunks_name_methods_and_functions()
    {
        var py = Parse().Functions.Where(f => f.Language == "python").Select(f => f.Name);
        Assert.Equal(["add", "mean"], py);
    }

    [Fact]
    public void A_change_outside_any_function_is_reported_as_unattributed()
    {
        const string diff = """
            diff --git a/Config.cs b/Config.cs
            --- a/Config.cs
            +++ b/Config.cs
            @@ -5 +5 @@ public static class Config
            -    public static readonly int PoolSize = 16;
            +    public static readonly int PoolSize = 64;
            """;
        var changes = ChangedFunctions.Parse(diff, _ => null);
        Assert.Empty(changes.Functions);
        var change = Assert.Single(changes.Unattributed);
        Assert.Equal("Config.cs", change.Path);
        Assert.Contains("PoolSize = 64", change.Text);
    }

    [Theory]
    [InlineData("public static string ExportCsv(TextAnalysis analysis)", "csharp", "ExportCsv")]
    [InlineData("private async Task<int> LoadAsync<T>(string key)", "csharp", "LoadAsync")]
    [InlineData("static int Bench()", "csharp", "Bench")]
    [InlineData("public int Twice(int x) => x * 2;", "csharp", "Twice")]
    [InlineData("return new Foo(x);", "csharp", null)]
    [InlineData("return Compute(", "csharp", null)]
    [InlineData("if (x > 0)", "csharp", null)]
    [InlineData("public sealed class PriceCache", "csharp", null)]
    [InlineData("public sealed record Point(int X, int Y)", "csharp", null)]
    [InlineData("builder.Append(x)", "csharp", null)]
    [InlineData("static int count_word(const char **words, int n, const char *word)", "c", "count_word")]
    [InlineData("int main(void)", "c", "main")]
    [InlineData("printf(\"%d\", x);", "c", null)]
    [InlineData("async def fetch(session, url):", "python", "fetch")]
    [InlineData("class Histogram:", "python", null)]
    [InlineData("static long hot(long n) {", "java", "hot")]
    [InlineData("public <T extends Comparable<T>> void sort(List<T> items) {", "java", "sort")]
    [InlineData("@Override", "java", null)]
    [InlineData("} else if (x > 0) {", "java", null)]
    [InlineData("func (s *Scanner) Hot(n int) int {", "go", "Hot")]
    [InlineData("func Map[T any](xs []T) []T {", "go", "Map")]
    [InlineData("pub(crate) async fn fetch<T>(url: &str) -> T {", "rust", "fetch")]
    [InlineData("impl Scanner {", "rust", null)]
    [InlineData("override suspend fun load(id: Int): User {", "kotlin", "load")]
    [InlineData("pure real function area(r) result(a)", "fortran", "area")]
    [InlineData("SUBROUTINE SMOOTH(X, N)", "fortran", "smooth")]
    [InlineData("export async function render(page) {", "javascript", "render")]
    [InlineData("  hot(n) {", "javascript", "hot")]
    [InlineData("static async *items() {", "javascript", "items")]
    [InlineData("const warm = async (n) => {", "javascript", "warm")]
    [InlineData("export const parse = function (text) {", "javascript", "parse")]
    [InlineData("onClick: (e) => {", "javascript", "onClick")]
    [InlineData("if (n > 1) {", "javascript", null)]
    [InlineData("while (i < n) {", "javascript", null)]
    [InlineData("render(page);", "javascript", null)]
    [InlineData("int Parser::parse(const char *text)", "c", "parse")]
    [InlineData("Parser::~Parser()", "c", "~Parser")]
    [InlineData("std::vector<int> Table<T>::rows(int n) const", "c", "rows")]
    public void Declarations_are_told_from_statements(string line, string language, string? expected)
    {
        Assert.Equal(expected, ChangedFunctions.FunctionIn(line, language));
    }

    [Theory]
    [InlineData("int Parser::parse(const char *text)", "c", "Parser")]
    [InlineData("std::vector<int> Table<T>::rows(int n) const", "c", "Table")]
    [InlineData("func (s *Scanner) Hot(n int) int {", "go", "Scanner")]
    [InlineData("func (Scanner) Hot() {", "go", "Scanner")]
    [InlineData("fun String.shout(): String {", "kotlin", "String")]
    [InlineData("static int count(const char *s)", "c", null)]
    public void A_declaration_that_names_its_type_gives_it(string line, string language, string? container)
    {
        Assert.Equal(container, SourceDeclarations.DeclarationIn(line, language)?.Container);
    }

    [Fact]
    public void Python_and_Rust_methods_take_their_class_or_impl_from_the_indentation_above()
    {
        const string diff = """
            diff --git a/scan.py b/scan.py
            --- a/scan.py
            +++ b/scan.py
            @@ -6 +6 @@ def hot(self, n):
            -        s = 0
            +        s = 1
            diff --git a/src/lib.rs b/src/lib.rs
            --- a/src/lib.rs
            +++ b/src/lib.rs
            @@ -4 +4 @@ pub fn hot(&self) -> u64 {
            -        1
            +        2
            diff --git a/src/Main.java b/src/Main.java
            --- a/src/Main.java
            +++ b/src/Main.java
            @@ -3 +3 @@ static long hot(long n) {
            -        return n;
            +        return n + 0;
            """;
        var files = new Dictionary<string, string[]>
        {
            ["scan.py"] = ["import sys", "", "", "class Scanner:", "    def hot(self, n):", "        s = 1", "        return s"],
            ["src/lib.rs"] = ["pub struct Scanner;", "", "impl Scan for Scanner {", "    pub fn hot(&self) -> u64 {", "        2", "    }", "}"],
            ["src/Main.java"] = ["public class Main {", "    static long hot(long n) {", "        return n + 0;", "    }", "}"],
        };

        var changes = ChangedFunctions.Parse(diff, p => files.GetValueOrDefault(p));

        Assert.Equal(["Scanner.hot", "Scanner.hot", "Main.hot"], changes.Functions.Select(f => f.DisplayName));
        Assert.Equal(["python", "rust", "java"], changes.Functions.Select(f => f.Language));
    }

    [Theory]
    [InlineData("src/app.ts", "javascript")]
    [InlineData("lib/x.mjs", "javascript")]
    [InlineData("cmd/main.go", "go")]
    [InlineData("src/geo.f90", "fortran")]
    [InlineData("src/lib.rs", "rust")]
    [InlineData("src/util.hpp", "c")]
    [InlineData("app.rb", null)]
    public void Languages_are_known_by_extension(string path, string? language) =>
        Assert.Equal(language, ChangedFunctions.LanguageOf(path));
}
