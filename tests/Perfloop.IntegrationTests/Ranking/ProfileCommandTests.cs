using System.Text.Json;
using Perfloop.IntegrationTests.Fixtures;

namespace Perfloop.IntegrationTests.Ranking;

public class ProfileCommandTests
{
    [Fact]
    public void Profiling_the_demo_ranks_its_known_hot_method_first()
    {
        using var repo = new TempGitRepository();
        CopyDirectory(DemoSource(), repo.Root);
        repo.CommitAll("demo");
        var build = ChildProcess.Run("dotnet", repo.Root, TimeSpan.FromMinutes(3), "build", "Demo.csproj", "-c", "Release", "-o", "out", "-nologo", "-v", "q");
        Assert.True(build.ExitCode == 0, build.Output);

        var result = PerfloopProcess.Run(repo.Root, "profile", "--", "dotnet", "out/Demo.dll", "bench");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("words:", result.Stderr, StringComparison.Ordinal); // the program's own output, kept off stdout
        Assert.Contains("Demo.WordCounter.Count", result.Stdout, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(repo.Root, ".perfloop", "bottlenecks.json")));
        var root = json.RootElement;
        Assert.Equal("perfloop.bottlenecks/v1", root.GetProperty("schema").GetString());
        Assert.Equal(repo.Git("rev-parse", "HEAD").Trim(), root.GetProperty("headSha").GetString());
        var targets = root.GetProperty("functions").EnumerateArray().Where(f => f.GetProperty("optimizable").GetBoolean()).ToList();
        var top = targets[0];
        // The demo has two known hot spots: the word count's linear search (about half of the CPU samples on a quiet
        // machine) and trial division (about a third). On a heavily loaded machine their order can swap, so either
        // may lead — but both must top the ranking, ahead of everything else.
        string[] hotSpots = ["Demo.WordCounter.Count", "Demo.PrimeScanner.PrimesUpTo"];
        Assert.Contains(top.GetProperty("function").GetString(), hotSpots);
        Assert.Equal(hotSpots.Order(), targets.Take(2).Select(t => t.GetProperty("function").GetString()!).Order());
        Assert.InRange(top.GetProperty("totalPercent").GetDouble(), 25, 85);
        Assert.InRange(top.GetProperty("amdahlBound").GetDouble(), 1.3, 7);
        // The CSV export never runs in the bench; the tokenizer runs, but is cheap next to the two hot spots.
        Assert.DoesNotContain(targets, t => t.GetProperty("function").GetString() == "Demo.Archive.ExportCsv");
        var tokenizer = targets.FirstOrDefault(t => t.GetProperty("function").GetString() == "Demo.Tokenizer.Tokenize");
        Assert.True(tokenizer.ValueKind != JsonValueKind.Object || tokenizer.GetProperty("rank").GetInt32() > 2);
        Assert.Contains("profiled .NET (dotnet out/Demo.dll bench) with EventPipe: ", result.Stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(repo.Root, ".perfloop", "profile.nettrace")));
        var external = root.GetProperty("functions").EnumerateArray().Where(f => !f.GetProperty("optimizable").GetBoolean()).ToList();
        Assert.Contains(external, f => f.GetProperty("module").GetString() == "System.Private.CoreLib");
        var runtime = root.GetProperty("runtime");
        Assert.True(runtime.GetProperty("gcCount").GetInt32() > 0);
        Assert.InRange(runtime.GetProperty("gcPauseShare").GetDouble(), 0, 0.5);
        Assert.Equal("System.String", runtime.GetProperty("topAllocatingTypes")[0].GetProperty("name").GetString());
    }

    [Fact]
    public void A_command_that_is_not_dotnet_gets_one_line_and_exit_2_without_running()
    {
        using var repo = new TempGitRepository();
        repo.Write("README", "x");
        repo.CommitAll("init");

        var result = PerfloopProcess.Run(repo.Root, "profile", "--", "/bin/sh", "-c", "echo hello");

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("cannot profile", line, StringComparison.Ordinal);
        Assert.Contains("rank --profile", line, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(repo.Root, ".perfloop", "bottlenecks.json")));
    }

    [Fact]
    public void Rank_reads_a_folded_file_and_prints_json_on_stdout()
    {
        using var repo = new TempGitRepository();
        repo.Write("src/app.c", "int main(void) { return 0; }");
        repo.CommitAll("init");
        var profile = Path.Combine(repo.Root, "profile.folded");
        File.WriteAllText(profile, "app;main;parse;__memchr_evex 70\napp;main;render 30\n");

        var result = PerfloopProcess.Run(repo.Root, "rank", "--profile", profile, "--json");

        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        var first = json.RootElement.GetProperty("functions")[0];
        Assert.Equal("parse", first.GetProperty("function").GetString());
        Assert.Equal(70, first.GetProperty("ownPercent").GetDouble(), 9);
        Assert.True(File.Exists(Path.Combine(repo.Root, ".perfloop", "bottlenecks.json")));
    }

    [Fact]
    public void Rank_of_a_missing_profile_is_one_line_and_exit_2()
    {
        using var repo = new TempGitRepository();

        var result = PerfloopProcess.Run(repo.Root, "rank", "--profile", "nope.folded");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("perfloop: profile not found:", result.Stderr, StringComparison.Ordinal);
        Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    static string DemoSource()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "samples", "demo", "app");
            if (File.Exists(Path.Combine(candidate, "Demo.csproj")))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException("samples/demo/app not found above the test binaries");
    }

    static void CopyDirectory(string source, string target)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            var first = relative.Split(Path.DirectorySeparatorChar)[0];
            if (first is "bin" or "obj" or "out")
            {
                continue;
            }

            var destination = Path.Combine(target, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
    }
}
