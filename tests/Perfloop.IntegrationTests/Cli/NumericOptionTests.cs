using System.CommandLine;
using Perfloop.Cli.Commands;
using Perfloop.IntegrationTests.Fixtures;

namespace Perfloop.IntegrationTests.Cli;

/// <summary>
/// Every numeric option of every command, found by walking the command tree: a value that is not a number, not finite
/// or absurd is one parse error naming the option (exit 2), never "Unhandled exception … Cannot parse argument".
/// </summary>
public sealed class NumericOptionTests
{
    static readonly Type[] NumericTypes = [typeof(int), typeof(long), typeof(double), typeof(int?), typeof(long?), typeof(double?)];

    static IEnumerable<(string[] Path, Option Option)> NumericOptions(Command command, string[] path)
    {
        foreach (var option in command.Options.Where(o => NumericTypes.Contains(o.ValueType)))
        {
            yield return (path, option);
        }

        foreach (var sub in command.Subcommands)
        {
            foreach (var found in NumericOptions(sub, [.. path, sub.Name]))
            {
                yield return found;
            }
        }
    }

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var (path, option) in NumericOptions(CommandLine.BuildRoot(), []))
        {
            foreach (var bad in new[] { "abc", "x1.5", "1e400", "NaN", "-99999999999", "99999999999" })
            {
                data.Add(string.Join(' ', [.. path, option.Name]), bad);
            }
        }

        return data;
    }

    [Fact]
    public void The_tree_has_the_numeric_options_these_tests_cover()
    {
        var names = NumericOptions(CommandLine.BuildRoot(), []).Select(f => string.Join(' ', [.. f.Path, f.Option.Name])).ToList();
        Assert.Contains("run --max-experiments", names);
        Assert.Contains("run --max-minutes", names);
        Assert.Contains("run --target-speedup", names);
        Assert.Contains("calibrate --runs", names);
        Assert.True(names.Count >= 10, string.Join(", ", names));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_bad_number_is_one_parse_error_naming_the_option(string commandAndOption, string value)
    {
        var words = commandAndOption.Split(' ');
        var optionName = words[^1];
        var root = CommandLine.BuildRoot();
        var command = words[..^1].Aggregate((Command)root, (c, name) => c.Subcommands.Single(s => s.Name == name));
        // Whatever else the command insists on is given, so the only thing wrong is the number.
        var required = command.Options.Where(o => o.Required).SelectMany(o => new[] { o.Name, "x" });
        string[] source = command.Name != "run" ? [] : optionName == "--agent-timeout" ? ["--agent", "x"] : ["--candidates", "x"];
        var arguments = command.Arguments.Where(a => a.Arity.MinimumNumberOfValues > 0).Select(_ => "x");
        var parse = root.Parse([.. words[..^1], .. required, .. source, optionName, value, .. arguments]);

        var error = Assert.Single(parse.Errors);
        Assert.StartsWith(optionName, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc", "N: 'abc' is not a whole number")]
    [InlineData("99999999999", "N: '99999999999' is out of range")]
    [InlineData("2.5", "N: '2.5' is not a whole number")]
    [InlineData("-3", "N must be an experiment number")]
    public void Verdict_s_experiment_number_is_checked_like_an_option(string value, string expected)
    {
        var root = CommandLine.BuildRoot();
        var parse = root.Parse(["verdict", "--", value]);

        var error = Assert.Single(parse.Errors);
        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("run --candidates x --max-experiments abc", "--max-experiments: 'abc' is not a whole number")]
    [InlineData("run --candidates x --max-minutes abc", "--max-minutes: 'abc' is not a number")]
    [InlineData("run --candidates x --target-speedup x1.5", "--target-speedup: 'x1.5' is not a number")]
    [InlineData("run --candidates x --target-speedup 0.5", "--target-speedup must be a speedup above 1")]
    [InlineData("calibrate --runs many", "--runs: 'many' is not a whole number")]
    [InlineData("experiment decide --max-reworks -1", "--max-reworks must be a whole number from 0 to 100")]
    [InlineData("rank --profile x --top 0", "--top must be a whole number from 1")]
    public void The_real_cli_prints_one_line_and_exits_2(string arguments, string expected)
    {
        using var repo = new TempGitRepository();
        var result = PerfloopProcess.Run(repo.Root, arguments.Split(' '));

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("perfloop: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }
}
