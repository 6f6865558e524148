using System.CommandLine;
using System.Diagnostics;
using System.Reflection;
using Perfloop.Demo;
using Perfloop.Implementers;
using Perfloop.Processes;

namespace Perfloop.Cli.Commands;

static class DemoCommand
{
    const string ResourcePrefix = "demo/";

    public static Command Create()
    {
        var directory = new Option<string?>("--dir") { Description = "Where to create the demo repository (default: a new temp folder)" };
        var command = new Command("demo", "Copy the embedded sample program into a new git repository and run the loop over its candidate patches")
        {
            directory,
        };
        command.SetAction((parse, cancellationToken) => CommandLine.GuardAsync(async () =>
        {
            var clock = Stopwatch.StartNew();
            var target = parse.GetValue(directory) is { } d ? Path.GetFullPath(d) : Path.Combine(Path.GetTempPath(), $"perfloop-demo-{Guid.NewGuid().ToString("N")[..8]}");
            var layout = await DemoSetup.PrepareAsync(new ProcessRunner(), EmbeddedFiles(), target, cancellationToken);
            Console.WriteLine($"demo repository: {layout.RepositoryDirectory}");
            if (layout.ProfileSummary is { } profile)
            {
                Console.WriteLine($"[demo] {profile}");
            }

            var summary = await RunCommand.RunLoopAsync(layout.RepositoryDirectory, await PatchSeries.LoadAsync(layout.CandidatesDirectory, new ProcessRunner(), cancellationToken), null, cancellationToken);
            Console.WriteLine($"demo finished in {clock.Elapsed.TotalSeconds:0}s. Look at:");
            Console.WriteLine($"  {summary.ResultsPath}");
            Console.WriteLine($"  git -C {layout.RepositoryDirectory} log --stat");
            return 0;
        }, cancellationToken));
        return command;
    }

    static List<DemoFile> EmbeddedFiles()
    {
        var assembly = Assembly.GetExecutingAssembly();
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n => new DemoFile(n[ResourcePrefix.Length..].Replace('\\', '/'), () => assembly.GetManifestResourceStream(n)!))
            .ToList();
    }
}
