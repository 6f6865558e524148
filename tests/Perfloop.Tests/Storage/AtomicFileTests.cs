using Perfloop.Storage;

namespace Perfloop.Tests.Storage;

public class AtomicFileTests
{
    [Fact]
    public void Replaces_the_whole_file_and_leaves_no_temporary_behind()
    {
        var directory = Directory.CreateTempSubdirectory("perfloop-atomic-").FullName;
        try
        {
            var path = Path.Combine(directory, "nested", "state.json");
            AtomicFile.WriteAllText(path, "a much longer first version");
            AtomicFile.WriteAllText(path, "second");
            Assert.Equal("second", File.ReadAllText(path));
            Assert.Equal(["state.json"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void A_write_that_cannot_replace_the_target_leaves_it_and_no_temporary_behind()
    {
        var directory = Directory.CreateTempSubdirectory("perfloop-atomic-").FullName;
        try
        {
            // A directory where the file should be: the rename fails after the temporary file was written.
            var path = Path.Combine(directory, "conventions.md");
            Directory.CreateDirectory(path);
            File.WriteAllText(Path.Combine(path, "inside"), "old");

            Assert.ThrowsAny<IOException>(() => AtomicFile.WriteAllText(path, "new guard"));

            Assert.True(File.Exists(Path.Combine(path, "inside")));
            Assert.Empty(Directory.EnumerateFiles(directory));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Config_json_is_written_the_way_a_person_would_write_it()
    {
        var json = System.Text.Json.JsonSerializer.Serialize(new { Bench = "make && ./app 'x'" }, JsonFormats.Config);
        Assert.Contains("\"bench\": \"make && ./app 'x'\"", json, StringComparison.Ordinal);
    }
}
