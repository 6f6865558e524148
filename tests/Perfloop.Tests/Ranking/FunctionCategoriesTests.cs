using Perfloop.Ranking;

namespace Perfloop.Tests.Ranking;

public class FunctionCategoriesTests
{
    [Theory]
    [InlineData("System.Text.RegularExpressions.RegexInterpreter.Scan", "regex")]
    [InlineData("re.match", "regex")]
    [InlineData("System.String.Concat", "string")]
    [InlineData("__strcmp_evex", "string")]
    [InlineData("System.SpanHelpers.SequenceEqual", "string")]
    [InlineData("System.Collections.Generic.List`1[Demo.WordCount].FindIndex", "collections")]
    [InlineData("System.Collections.Generic.Dictionary`2[System.__Canon,System.Int32].FindValue", "collections")]
    [InlineData("System.Linq.Enumerable.ToList", "LINQ")]
    [InlineData("System.IO.FileStream.Read", "IO")]
    [InlineData("_IO_file_write", "IO")]
    [InlineData("System.GC.Collect", "GC")]
    [InlineData("malloc", "GC")]
    [InlineData("System.Collections.Generic.ArraySortHelper`1[System.Int32].IntroSort", "sorting")]
    [InlineData("qsort", "sorting")]
    [InlineData("System.Security.Cryptography.SHA256.HashData", "hashing")]
    [InlineData("System.String.GetNonRandomizedHashCode", "hashing")]
    [InlineData("System.Text.Json.JsonSerializer.Serialize", "serialization")]
    [InlineData("ThePreStub", "runtime")]
    [InlineData("System.Threading.Monitor.Enter", "runtime")]
    public void Names_map_to_categories(string name, string category)
    {
        Assert.Equal(category, FunctionCategories.FromName(name));
    }

    [Theory]
    [InlineData("Demo.PrimeScanner.PrimesUpTo")]
    [InlineData("is_prime")]
    public void Names_that_say_nothing_have_no_category(string name)
    {
        Assert.Null(FunctionCategories.FromName(name));
    }

    [Fact]
    public void Equality_comparers_are_not_sorting()
    {
        Assert.NotEqual("sorting", FunctionCategories.FromName("System.Collections.Generic.EqualityComparer`1[System.__Canon].Equals"));
    }

    [Fact]
    public void A_silent_name_takes_the_category_of_the_outside_code_it_spends_most_in()
    {
        var calls = new Dictionary<string, double> { ["string"] = 2, ["collections"] = 5 };

        Assert.Equal("collections", BottleneckRanker.Category("Demo.WordCounter.Count", calls));
        Assert.Equal("compute", BottleneckRanker.Category("Demo.WordCounter.Count", null));
        Assert.Equal("sorting", BottleneckRanker.Category("Demo.Sorter.Sort", calls));
    }
}
