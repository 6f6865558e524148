using Perfloop.Fidelity;

namespace Perfloop.Tests.Fidelity;

/// <summary>
/// git names the nearest function above a hunk even when that function ended before it (js-levenshtein's
/// <c>_min</c> above the anonymous function that does the work): such a change must not be charged to that name.
/// </summary>
public class FunctionScopeTests
{
    static readonly string[] JavaScript =
    [
        "'use strict';",                           // 1
        "module.exports = (function()",            // 2
        "{",                                       // 3
        "  function _min(d0, d1, d2, bx, ay)",     // 4
        "  {",                                     // 5
        "    return d0 < d1 ? d0 + 1 : d1; // }",  // 6
        "  }",                                     // 7
        "",                                        // 8
        "  return function(a, b)",                 // 9
        "  {",                                     // 10
        "    var s = '}' + \"{\";",                // 11
        "    return a.length - b.length;",         // 12
        "  };",                                    // 13
        "})();",                                   // 14
    ];

    [Fact]
    public void A_change_after_the_named_function_s_closing_brace_is_not_in_it() =>
        Assert.True(FunctionScope.EndsBefore(JavaScript, "function _min(d0, d1, d2, bx, ay)", 12, "javascript"));

    [Fact]
    public void A_change_inside_the_named_function_is_in_it() =>
        Assert.False(FunctionScope.EndsBefore(JavaScript, "function _min(d0, d1, d2, bx, ay)", 6, "javascript"));

    [Fact]
    public void Braces_of_a_destructured_parameter_are_not_the_body() =>
        Assert.False(FunctionScope.EndsBefore(["function f({ a, b }) {", "  const x = a;", "  return x + b;", "}"], "function f({ a, b }) {", 3, "javascript"));

    [Fact]
    public void A_c_function_with_its_brace_on_the_next_line_ends_at_its_closing_brace()
    {
        string[] c = ["static int hot(int n)", "{", "  return n * 2;", "}", "", "int total = 3;"];
        Assert.False(FunctionScope.EndsBefore(c, "static int hot(int n)", 3, "c"));
        Assert.True(FunctionScope.EndsBefore(c, "static int hot(int n)", 6, "c"));
    }

    [Fact]
    public void A_python_body_ends_at_the_first_line_indented_no_deeper_than_its_def()
    {
        string[] py = ["def hot(n,", "        m):", "    # a comment", "    return n", "", "TABLE = [hot(i, 1) for i in range(9)]"];
        Assert.False(FunctionScope.EndsBefore(py, "def hot(n,", 4, "python"));
        Assert.True(FunctionScope.EndsBefore(py, "def hot(n,", 6, "python"));
    }

    [Fact]
    public void Without_the_file_or_the_header_s_line_nothing_is_claimed()
    {
        Assert.False(FunctionScope.EndsBefore(null, "function _min(d0, d1, d2, bx, ay)", 12, "javascript"));
        Assert.False(FunctionScope.EndsBefore(JavaScript, "function other()", 12, "javascript"));
    }

    [Fact]
    public void The_diff_of_a_change_after_the_named_function_attributes_it_to_no_function()
    {
        const string diff = """
            diff --git a/index.js b/index.js
            index 1111111..2222222 100644
            --- a/index.js
            +++ b/index.js
            @@ -12 +12 @@ function _min(d0, d1, d2, bx, ay)
            -    return a.length - b.length;
            +    return b.length - a.length;
            """;
        var changes = ChangedFunctions.Parse(diff, path => path == "index.js" ? JavaScript : null);
        Assert.Empty(changes.Functions);
        var change = Assert.Single(changes.Unattributed);
        Assert.Equal(12, change.Line);
        Assert.Equal(new Perfloop.Ranking.LineSpan(12, 12), change.BaselineLines);

        // Without the new file the header is all there is: the old attribution stands.
        Assert.Equal("_min", Assert.Single(ChangedFunctions.Parse(diff, _ => null).Functions).Name);
    }
}
