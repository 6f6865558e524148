namespace Perfloop.IntegrationTests.Fixtures;

/// <summary>The JDK the tests' <c>java</c> is: what its profile can prove depends on it.</summary>
public static partial class JavaRuntime
{
    /// <summary>The feature release of <c>java</c> on PATH (17 for "17.0.15", 8 for "1.8.0_402").</summary>
    public static int Major { get; } = ReadMajor();

    /// <summary>HotSpot lists the methods it called (-XX:+LogTouchedMethods) from JDK 9 to 21; JDK 22 removed the flag.</summary>
    public static bool ListsCalledMethods => Major is >= 9 and <= 21;

    static int ReadMajor()
    {
        var (exit, output) = ChildProcess.Run("java", null, TimeSpan.FromMinutes(1), "-version");
        var version = Version().Match(output);
        if (exit != 0 || !version.Success)
        {
            throw new InvalidOperationException($"java -version did not say its version: {output}");
        }

        var first = int.Parse(version.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        return first == 1 && version.Groups[2].Success ? int.Parse(version.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) : first;
    }

    [System.Text.RegularExpressions.GeneratedRegex("version \"(\\d+)(?:\\.(\\d+))?")]
    private static partial System.Text.RegularExpressions.Regex Version();
}
