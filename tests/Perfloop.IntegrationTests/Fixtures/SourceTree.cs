namespace Perfloop.IntegrationTests.Fixtures;

/// <summary>The repository the tests were built from: its docs and the tools .ci/run installs under tests/.</summary>
public static class SourceTree
{
    public static string Root { get; } = Find();

    static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Perfloop.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no Perfloop.slnx above {AppContext.BaseDirectory}");
    }
}
