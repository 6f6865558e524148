using System.Text.RegularExpressions;

namespace Perfloop.Ranking;

/// <summary>
/// A first guess at what kind of work a function does, from its name (and source file, when known), so a reader (or an agent) knows
/// which strategy to reach for. Rules are tried in the order of <see cref="Rules"/>; the first match wins.
/// A function whose own name says nothing takes the category of the external code it spends its time in
/// (see <see cref="BottleneckRanker"/>); otherwise it is "compute" (loops and arithmetic in its own body).
/// </summary>
public static partial class FunctionCategories
{
    public const string Compute = "compute";

    /// <summary>The rules, in order: a category and the name pattern that signals it.</summary>
    public static IReadOnlyList<(string Category, Regex Pattern)> Rules { get; } =
    [
        ("regex", Rx(@"Regex|RegularExpressions|regcomp|regexec|pcre|(^|[.:/])re\.|(^|_)sre_")),
        ("serialization", Rx(@"Json|json|Xml|xml|Serializ|Deserializ|Protobuf|MessagePack|pickle|marshal|Yaml|Csv")),
        ("LINQ", Rx(@"System\.Linq|Enumerable\.|\.Linq\.|Queryable")),
        ("sorting", Rx(@"Sort|qsort|IntroSort|HeapSort|InsertionSort|(?<!Equality)Comparer|CompareTo|(^|[._])compare")),
        ("hashing", Rx(@"Hash|Sha\d|SHA\d|Md5|MD5|Crc|crc32|fnv|Fnv|xxh|murmur|siphash")),
        ("GC", Rx(@"(^|[._])GC[._A-Z]|gc_|GarbageCollect|Scavenge|PSPromotion|mark_phase|plan_phase|memclr|JIT_New|AllocateObject|malloc|calloc|realloc|(^|_)free$|_int_free|_int_malloc")),
        ("IO", Rx(@"System\.IO|Stream|File|Console|Socket|Pipe|(^|_)(read|write|fwrite|fread|fopen|open|close|fsync|printf|vfprintf|puts|send|recv|epoll_wait|poll)$|_IO_|syscall|sys_|Sql")),
        ("string", Rx(@"String|string|Utf8|UTF8|Utf16|Encoding|Unicode|Char\b|Substring|Split|Concat|ToLower|ToUpper|ToLowerInvariant|Trim|Format|SpanHelpers|strcmp|strncmp|strlen|strcpy|strchr|strstr|memcmp|memchr|wcs|str_|_str|Casing|Ascii")),
        ("collections", Rx(@"Collections|List`|List<|List\[|\.List\.|Dictionary|HashSet|SortedSet|Queue|Stack`|Array\.|ArrayList|ImmutableArray|Span`|FindIndex|IndexOf|Contains|Lookup|std::(vector|map|unordered_map|set)|hashtable|hashmap|dict_|list_|_dict|_list|vector")),
        ("runtime", Rx(@"ThePreStub|JIT_|clrjit|coreclr|Interop|Marshal|Reflection|Activator|RuntimeType|Thread|Monitor|Lock|Interlocked|futex|pthread|_dl_|ld-linux|Jit|Tiered|PollGC|Exception|Unwind")),
    ];

    /// <summary>The category the name alone suggests, or <c>null</c> when no rule matches.</summary>
    public static string? FromName(string functionName)
    {
        foreach (var (category, pattern) in Rules)
        {
            if (pattern.IsMatch(functionName))
            {
                return category;
            }
        }
        return null;
    }

    static Regex Rx(string pattern) => new(pattern, RegexOptions.CultureInvariant | RegexOptions.Compiled, TimeSpan.FromSeconds(1));
}
