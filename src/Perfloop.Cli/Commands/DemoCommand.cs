using System.CommandLine;
using System.Reflection;
using Perfloop.Demo;
using Perfloop.UseCases;

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
            var demo = await RunDemo.RunAsync(Cli.Services(), new DemoOptions(EmbeddedFiles(), parse.GetValue(directory) is { } d ? Path.GetFullPath(d) : null), cancellationToken);
            Console.WriteLine($"done: {demo.Summary.Kept} kept of {demo.Summary.Experiments} experiments; results in {demo.Summary.ResultsPath}");
            Console.WriteLine($"demo finished in {demo.Elapsed.TotalSeconds:0}s. Look at:");
            Console.WriteLine($"  {demo.Summary.ResultsPath}");
            Console.WriteLine($"  git -C {demo.Layout.RepositoryDirectory} log --stat");
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
