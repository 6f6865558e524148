using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace Perfloop.Cli.Commands;

/// <summary>
/// Numeric options that parse and range-check their own value, so a bad one ("abc", "x1.5", "1e400", "-3") is one
/// parse error naming the option and the rule, with exit 2. Validators must never read a numeric option with
/// GetValue: System.CommandLine 2.0 runs command validators before it reports a conversion error, and GetValue then
/// throws (dotnet/command-line-api#2645, #2779) — the range check lives here instead.
/// </summary>
static class NumberOption
{
    /// <summary>An option with a default; <paramref name="rule"/> says in words what <paramref name="valid"/> accepts.</summary>
    public static Option<T> Create<T>(string name, string description, T defaultValue, Func<T, bool> valid, string rule)
        where T : struct, INumber<T> =>
        new(name)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result => Parse(result, name, valid, rule) ?? defaultValue,
        };

    /// <summary>An option that is null unless given.</summary>
    public static Option<T?> Optional<T>(string name, string description, Func<T, bool> valid, string rule)
        where T : struct, INumber<T> =>
        new(name)
        {
            Description = description,
            CustomParser = result => Parse(result, name, valid, rule),
        };

    /// <summary>A required numeric argument (such as verdict's N), checked the same way.</summary>
    public static Argument<T> Argument<T>(string name, string description, Func<T, bool> valid, string rule)
        where T : struct, INumber<T> =>
        new(name)
        {
            Description = description,
            CustomParser = result => Parse(result, name, valid, rule) ?? default,
        };

    static T? Parse<T>(ArgumentResult result, string name, Func<T, bool> valid, string rule)
        where T : struct, INumber<T>
    {
        if (result.Tokens.Count == 0)
        {
            return null;
        }

        var token = result.Tokens[0].Value;
        var whole = typeof(T) == typeof(int) || typeof(T) == typeof(long);
        var style = whole ? NumberStyles.Integer : NumberStyles.Float;
        if (!T.TryParse(token, style, CultureInfo.InvariantCulture, out var value) || !T.IsFinite(value))
        {
            var what = double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
                ? (whole && number == Math.Floor(number) ? "out of range" : "not a whole number")
                : whole ? "not a whole number" : "not a number";
            result.AddError($"{name}: '{token}' is {what}; {name} {rule}");
            return null;
        }

        if (!valid(value))
        {
            result.AddError($"{name} {rule} (is {token})");
            return null;
        }

        return value;
    }
}
