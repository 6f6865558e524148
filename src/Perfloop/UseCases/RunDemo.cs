using System.Diagnostics;
using Perfloop.Demo;
using Perfloop.Experiments;
using Perfloop.Sessions;

namespace Perfloop.UseCases;

/// <summary>The embedded sample's files and where to put its repository (a new temp folder when null).</summary>
public sealed record DemoOptions(IReadOnlyList<DemoFile> Files, string? Directory);

public sealed record DemoResult(DemoLayout Layout, SessionSummary Summary, TimeSpan Elapsed);

/// <summary>The embedded sample copied into a new git repository, set up, profiled, and run through the loop over its own patches.</summary>
public static class RunDemo
{
    public static async Task<DemoResult> RunAsync(EngineServices services, DemoOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        var target = options.Directory ?? Path.Combine(Path.GetTempPath(), $"perfloop-demo-{Guid.NewGuid().ToString("N")[..8]}");
        var layout = await DemoSetup.PrepareAsync(services.Runner, options.Files, target, cancellationToken);
        services.Reporter.Status($"demo repository: {layout.RepositoryDirectory}");
        if (layout.ProfileSummary is { } profile)
        {
            services.Reporter.Status($"[demo] {profile}");
        }

        var summary = await RunLoop.RunAsync(services, new RunLoopOptions(layout.RepositoryDirectory, new PatchFolder(layout.CandidatesDirectory)), cancellationToken);
        return new DemoResult(layout, summary, clock.Elapsed);
    }
}
