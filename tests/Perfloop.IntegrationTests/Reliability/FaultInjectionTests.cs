using System.Globalization;
using Xunit.Abstractions;

namespace Perfloop.IntegrationTests.Reliability;

/// <summary>
/// CI's share of the fault-injection benchmark (bench/faults): a few interruptions at random moments — half SIGKILL,
/// half SIGINT to the process group — and zero violations. PERFLOOP_FAULT_INTERRUPTIONS and PERFLOOP_FAULT_SEED make
/// it the full run; PERFLOOP_FAULT_REPORT names a file for the figures.
/// </summary>
public sealed class FaultInjectionTests(ITestOutputHelper output)
{
    [Fact]
    public void Interrupting_the_loop_at_random_moments_never_violates_an_invariant()
    {
        var count = Environment.GetEnvironmentVariable("PERFLOOP_FAULT_INTERRUPTIONS") ?? Environment.GetEnvironmentVariable("PERFLOOP_FAULT_KILLS");
        var interruptions = int.TryParse(count, NumberStyles.Integer, CultureInfo.InvariantCulture, out var k) ? k : 8;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("PERFLOOP_FAULT_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : 20261126;
        var report = FaultInjector.Run(interruptions, seed, output.WriteLine);
        output.WriteLine(report.Describe());
        if (Environment.GetEnvironmentVariable("PERFLOOP_FAULT_REPORT") is { Length: > 0 } path)
        {
            File.WriteAllText(path, report.Describe() + "\n" + string.Join("\n", report.Violations) + "\n");
        }

        Assert.Equal(interruptions, report.Interruptions);
        Assert.Equal(interruptions / 2, report.Interrupts);
        Assert.True(report.Violations.Count == 0, string.Join("\n", report.Violations));
    }
}
