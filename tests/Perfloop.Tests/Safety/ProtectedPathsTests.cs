using Perfloop.Safety;

namespace Perfloop.Tests.Safety;

public class ProtectedPathsTests
{
    readonly ProtectedPaths paths = new(["config/prod.yaml", "vendor/"], ["scripts/check.sh"]);

    [Theory]
    [InlineData("tests/test_parse.py")]
    [InlineData("src/Foo.Tests/FooTests.cs")]
    [InlineData("Tests/SelfTests.cs")]
    [InlineData("pkg/parse_test.go")]
    [InlineData("web/app.spec.ts")]
    [InlineData("perfloop.json")]
    [InlineData(".perfloop/conventions.md")]
    [InlineData("scripts/check.sh")]
    [InlineData("config/prod.yaml")]
    [InlineData("vendor/lib/x.c")]
    public void Protected(string path) => Assert.NotNull(paths.Reason(path));

    [Theory]
    [InlineData("src/Parser.cs")]
    [InlineData("WordCounter.cs")]
    [InlineData("src/latest.py")]
    [InlineData("config/dev.yaml")]
    public void Not_protected(string path) => Assert.Null(paths.Reason(path));

    [Fact]
    public void Guard_files_are_found_in_the_guard_command()
    {
        var root = Directory.CreateTempSubdirectory("perfloop-guard-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(root, "check.sh"), "true");
            Assert.Equal(["check.sh"], ProtectedPaths.FilesNamedIn("./check.sh --fast && echo ok", root));
            Assert.Empty(ProtectedPaths.FilesNamedIn("../outside.sh", root));
            // Inline code is one quoted word: the code it requires is what the guard tests, not the guard's own file.
            File.WriteAllText(Path.Combine(root, "index.js"), "module.exports = 1");
            Assert.Empty(ProtectedPaths.FilesNamedIn("node -e \"const l=require('./index.js'); if (l !== 1) process.exit(1)\"", root));
            Assert.Equal(["check.sh"], ProtectedPaths.FilesNamedIn("sh 'check.sh'; echo done", root));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
