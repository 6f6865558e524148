using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Perfloop.Methods;

/// <summary>One place where two object graphs differ: the path from the root and both values as text.</summary>
public sealed record GraphDifference(string Path, string Baseline, string Candidate)
{
    public override string ToString() => $"{Path}: {Baseline} vs {Candidate}";
}

/// <summary>
/// Deep structural comparison of two object graphs that may come from different load contexts (the same type
/// loaded twice is two <see cref="Type"/>s, so types are compared by full name and objects by structure, never by
/// <c>Equals</c> of user types). Walks public properties and fields (all instance fields of a type that exposes none),
/// dictionaries by key, other collections in order; guards cycles; compares doubles exactly unless a tolerance is given.
/// </summary>
public sealed class ObjectGraphComparer(double tolerance = 0, int maxDifferences = 10, int maxDepth = 64)
{
    readonly HashSet<(object, object)> visiting = new(PairComparer.Instance);
    List<GraphDifference> differences = [];

    /// <summary>The differences between <paramref name="baseline"/> and <paramref name="candidate"/> (at most the configured number).</summary>
    public IReadOnlyList<GraphDifference> Compare(object? baseline, object? candidate, string path)
    {
        differences = [];
        visiting.Clear();
        Walk(baseline, candidate, path, 0);
        return differences;
    }

    void Walk(object? a, object? b, string path, int depth)
    {
        if (differences.Count >= maxDifferences)
        {
            return;
        }

        if (a is null || b is null)
        {
            if (a is not null || b is not null)
            {
                Report(path, a, b);
            }

            return;
        }

        var typeA = a.GetType();
        var typeB = b.GetType();
        if (typeA.FullName != typeB.FullName)
        {
            differences.Add(new GraphDifference(path + " (type)", typeA.FullName ?? typeA.Name, typeB.FullName ?? typeB.Name));
            return;
        }

        if (IsScalar(typeA))
        {
            if (!ScalarsEqual(a, b))
            {
                Report(path, a, b);
            }

            return;
        }

        if (depth >= maxDepth || (!typeA.IsValueType && !visiting.Add((a, b))))
        {
            // Deeper than any sane data structure, or a pair already being compared (a cycle): assume equal here.
            return;
        }

        try
        {
            if (a is IDictionary dictA && b is IDictionary dictB)
            {
                WalkDictionary(dictA, dictB, path, depth);
            }
            else if (a is IEnumerable seqA && b is IEnumerable seqB)
            {
                WalkSequence(seqA, seqB, path, depth);
            }
            else
            {
                WalkMembers(a, b, typeA, typeB, path, depth);
            }
        }
        finally
        {
            if (!typeA.IsValueType)
            {
                visiting.Remove((a, b));
            }
        }
    }

    void WalkDictionary(IDictionary a, IDictionary b, string path, int depth)
    {
        if (a.Count != b.Count)
        {
            differences.Add(new GraphDifference(path + ".Count", a.Count.ToString(CultureInfo.InvariantCulture), b.Count.ToString(CultureInfo.InvariantCulture)));
        }

        var keysAreScalar = a.Keys.Cast<object>().All(k => IsScalar(k.GetType()));
        if (!keysAreScalar)
        {
            // Keys of user types differ in identity between the builds: compare the entries in order instead.
            WalkSequence(a.Cast<object>(), b.Cast<object>(), path, depth);
            return;
        }

        foreach (DictionaryEntry entry in a)
        {
            var keyPath = $"{path}[{Format(entry.Key)}]";
            if (!b.Contains(entry.Key))
            {
                differences.Add(new GraphDifference(keyPath, Format(entry.Value), "(missing)"));
            }
            else
            {
                Walk(entry.Value, b[entry.Key], keyPath, depth + 1);
            }

            if (differences.Count >= maxDifferences)
            {
                return;
            }
        }

        foreach (DictionaryEntry entry in b)
        {
            if (!a.Contains(entry.Key) && differences.Count < maxDifferences)
            {
                differences.Add(new GraphDifference($"{path}[{Format(entry.Key)}]", "(missing)", Format(entry.Value)));
            }
        }
    }

    void WalkSequence(IEnumerable a, IEnumerable b, string path, int depth)
    {
        var left = a.Cast<object?>().ToList();
        var right = b.Cast<object?>().ToList();
        if (left.Count != right.Count)
        {
            differences.Add(new GraphDifference(path + ".Count", left.Count.ToString(CultureInfo.InvariantCulture), right.Count.ToString(CultureInfo.InvariantCulture)));
        }

        for (var i = 0; i < Math.Min(left.Count, right.Count) && differences.Count < maxDifferences; i++)
        {
            Walk(left[i], right[i], $"{path}[{i}]", depth + 1);
        }
    }

    void WalkMembers(object a, object b, Type typeA, Type typeB, string path, int depth)
    {
        var membersB = MembersOf(typeB).ToDictionary(m => m.Name, StringComparer.Ordinal);
        foreach (var member in MembersOf(typeA))
        {
            Walk(Read(member, a), membersB.TryGetValue(member.Name, out var other) ? Read(other, b) : new ThrownByGetter("(no such member)"), $"{path}.{member.Name}", depth + 1);
            if (differences.Count >= maxDifferences)
            {
                return;
            }
        }

        foreach (var added in membersB.Keys.Except(MembersOf(typeA).Select(m => m.Name), StringComparer.Ordinal))
        {
            if (differences.Count < maxDifferences)
            {
                differences.Add(new GraphDifference($"{path}.{added}", "(no such member)", Format(Read(membersB[added], b))));
            }
        }
    }

    static List<MemberInfo> MembersOf(Type type)
    {
        var visible = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.GetIndexParameters().Length == 0)
            .Cast<MemberInfo>()
            .Concat(type.GetFields(BindingFlags.Public | BindingFlags.Instance))
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .ToList();
        if (visible.Count > 0)
        {
            return visible;
        }

        // No public surface: its state is in private fields (a class with methods only); compare those.
        var all = new List<MemberInfo>();
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
        {
            all.AddRange(t.GetFields(BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.DeclaredOnly));
        }

        return all.OrderBy(m => m.Name, StringComparer.Ordinal).ToList();
    }

    static object? Read(MemberInfo member, object target)
    {
        try
        {
            return member is PropertyInfo property ? property.GetValue(target) : ((FieldInfo)member).GetValue(target);
        }
        catch (TargetInvocationException e)
        {
            // A getter that throws is part of the behaviour: compare what it throws.
            return new ThrownByGetter(e.InnerException?.GetType().FullName ?? "exception");
        }
    }

    static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(DateTime)
        || type == typeof(DateTimeOffset) || type == typeof(TimeSpan) || type == typeof(Guid) || type == typeof(ThrownByGetter)
        || type == typeof(Type) || type.IsSubclassOf(typeof(Type)) || type == typeof(System.Text.Rune) || type == typeof(Half);

    bool ScalarsEqual(object a, object b)
    {
        switch (a)
        {
            case double x when b is double y:
                return x.Equals(y) || (tolerance > 0 && Math.Abs(x - y) <= tolerance * Math.Max(1, Math.Max(Math.Abs(x), Math.Abs(y))));
            case float x when b is float y:
                return x.Equals(y) || (tolerance > 0 && Math.Abs(x - y) <= tolerance * Math.Max(1, Math.Max(Math.Abs(x), Math.Abs(y))));
            case Enum when a.GetType() != b.GetType():
                // The same enum from two builds: equal when the underlying values are.
                return System.Convert.ToInt64(a, CultureInfo.InvariantCulture) == System.Convert.ToInt64(b, CultureInfo.InvariantCulture);
            case Type x when b is Type y:
                return x.FullName == y.FullName;
            default:
                return a.Equals(b);
        }
    }

    void Report(string path, object? a, object? b) => differences.Add(new GraphDifference(path, Format(a), Format(b)));

    /// <summary>A value as a difference shows it: strings quoted, numbers round-trippable, objects by type name.</summary>
    public static string Format(object? value) => value switch
    {
        null => "null",
        string s => $"\"{s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}\"",
        char c => $"'{c}'",
        bool flag => flag ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        IFormattable formattable when IsScalar(value.GetType()) => formattable.ToString(null, CultureInfo.InvariantCulture),
        ThrownByGetter { ExceptionType: "(no such member)" } => "(no such member)",
        ThrownByGetter thrown => $"throws {thrown.ExceptionType}",
        Type type => type.FullName ?? type.Name,
        _ when IsScalar(value.GetType()) => value.ToString() ?? "",
        _ => value.GetType().FullName ?? value.GetType().Name,
    };

    sealed record ThrownByGetter(string ExceptionType);

    sealed class PairComparer : IEqualityComparer<(object, object)>
    {
        public static readonly PairComparer Instance = new();

        public bool Equals((object, object) x, (object, object) y) => ReferenceEquals(x.Item1, y.Item1) && ReferenceEquals(x.Item2, y.Item2);

        public int GetHashCode((object, object) obj) => HashCode.Combine(RuntimeHelpers.GetHashCode(obj.Item1), RuntimeHelpers.GetHashCode(obj.Item2));
    }
}
