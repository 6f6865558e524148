using Perfloop.Configuration;
using Perfloop.Errors;

namespace Perfloop.Tests.Configuration;

/// <summary>
/// Every number in perfloop.json is range-checked when the file is read: an absurd value ("benchSeconds": 1e15 used to
/// end in an OverflowException after the baseline build had started) is one line naming the key, exit 2.
/// </summary>
public sealed class ConfigRangeTests
{
    /// <summary>(JSON fragment after "bench", the key the message must name.)</summary>
    public static TheoryData<string, string> Absurd() => new()
    {
        { "\"timeouts\": { \"benchSeconds\": 1e15 }", "$.timeouts.benchSeconds" },
        { "\"timeouts\": { \"buildSeconds\": 1e300 }", "$.timeouts.buildSeconds" },
        { "\"timeouts\": { \"benchSeconds\": 1e400 }", "$.timeouts.benchSeconds" },
        { "\"timeouts\": { \"oracleSeconds\": 0 }", "$.timeouts.oracleSeconds" },
        { "\"timeouts\": { \"guardSeconds\": 99999999 }", "$.timeouts.guardSeconds" },
        { "\"measurement\": { \"maxSeconds\": 1e12 }", "$.measurement.maxSeconds" },
        { "\"measurement\": { \"maxRuns\": 2147483647 }", "$.measurement.maxRuns" },
        { "\"measurement\": { \"minRuns\": 2000000, \"maxRuns\": 2000000 }", "$.measurement.minRuns" },
        { "\"measurement\": { \"calibrationRuns\": 5000000 }", "$.measurement.calibrationRuns" },
        { "\"measurement\": { \"warmupRuns\": 100000 }", "$.measurement.warmupRuns" },
        { "\"measurement\": { \"seed\": -5 }", "$.measurement.seed" },
        { "\"thresholds\": { \"keepPct\": 0 }", "$.thresholds.keepPct" },
        { "\"thresholds\": { \"microPct\": 100 }", "$.thresholds.microPct" },
        { "\"thresholds\": { \"hotPathSharePct\": 101 }", "$.thresholds.hotPathSharePct" },
        { "\"policies\": { \"rotateAfter\": 0 }", "$.policies.rotateAfter" },
        { "\"policies\": { \"stallWindow\": 2000000000 }", "$.policies.stallWindow" },
        { "\"policies\": { \"stallPct\": 100 }", "$.policies.stallPct" },
        { "\"policies\": { \"diminishingPct\": -1 }", "$.policies.diminishingPct" },
        { "\"escalation\": { \"wallOverCpuRatio\": 1e300 }", "$.escalation.wallOverCpuRatio" },
        { "\"escalation\": { \"superlinearExponent\": 1000 }", "$.escalation.superlinearExponent" },
        { "\"escalation\": { \"minWaitMs\": -1 }", "$.escalation.minWaitMs" },
        { "\"escalation\": { \"startupSharePct\": 0 }", "$.escalation.startupSharePct" },
        { "\"scaling\": { \"command\": \"./a {n}\", \"sizes\": [1, 2, 3], \"runs\": 100000 }", "$.scaling.runs" },
        { "\"targets\": [ { \"name\": \"F\", \"profileSharePct\": 250 } ]", "$.targets[0].profileSharePct" },
    };

    [Theory]
    [MemberData(nameof(Absurd))]
    public void An_absurd_number_is_refused_with_its_key(string fragment, string key)
    {
        var error = Assert.Throws<PerfloopException>(() => ConfigStore.Parse($$"""{ "bench": "true", {{fragment}} }"""));

        Assert.Equal(ExitCodes.Usage, error.ExitCode);
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData("\"measurement\": { \"minRuns\": 1e10 }")]
    [InlineData("\"measurement\": { \"minRuns\": 2.5 }")]
    public void A_number_json_cannot_hold_in_the_type_is_a_usage_error(string fragment)
    {
        var error = Assert.Throws<PerfloopException>(() => ConfigStore.Parse($$"""{ "bench": "true", {{fragment}} }"""));

        Assert.Equal(ExitCodes.Usage, error.ExitCode);
        Assert.StartsWith("perfloop.json: line", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_defaults_and_generous_real_values_pass()
    {
        var config = ConfigStore.Parse("""
            { "bench": "true",
              "timeouts": { "buildSeconds": 86400, "benchSeconds": 7200, "oracleSeconds": 3600, "guardSeconds": 172800 },
              "measurement": { "warmupRuns": 3, "minRuns": 10, "maxRuns": 5000, "calibrationRuns": 50, "maxSeconds": 3600, "seed": 0 } }
            """);

        Assert.Equal(172800, config.Timeouts.GuardSeconds);
        Assert.NotNull(ConfigStore.Parse("""{ "bench": "true" }"""));
    }
}
