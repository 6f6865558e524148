using Perfloop.Safety;

namespace Perfloop.Tests.Safety;

public sealed class AtomicFileTests : IDisposable
{
    readonly string directory = Directory.CreateTempSubdirectory("perfloop-atomic-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public async Task The_file_is_replaced_whole_and_no_temp_file_is_left()
    {
        var path = Path.Combine(directory, "conventions.md");
        await File.WriteAllTextAsync(path, "old guard");

        await AtomicFile.WriteAllTextAsync(path, "new guard");

        Assert.Equal("new guard", await File.ReadAllTextAsync(path));
        Assert.Equal(["conventions.md"], Directory.EnumerateFiles(directory).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_write_that_fails_half_way_leaves_the_old_content()
    {
        var path = Path.Combine(directory, "conventions.md");
        await File.WriteAllTextAsync(path, "old guard");
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => AtomicFile.WriteAllTextAsync(path, "new guard", cancelled.Token));

        Assert.Equal("old guard", await File.ReadAllTextAsync(path));
        Assert.Single(Directory.EnumerateFiles(directory));
    }
}
