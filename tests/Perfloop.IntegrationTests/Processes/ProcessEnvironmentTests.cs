using System.Runtime.Versioning;
using Perfloop.Processes;

namespace Perfloop.IntegrationTests.Processes;

[CollectionDefinition(nameof(ProcessEnvironmentMutation), DisableParallelization = true)]
public sealed class ProcessEnvironmentMutation;

// Changes Perfloop's own environment, so it runs alone: no other test may spawn git meanwhile.
[Collection(nameof(ProcessEnvironmentMutation))]
[SupportedOSPlatform("linux")]
public sealed class ProcessEnvironmentTests
{
    [Fact]
    public async Task Git_location_variables_are_stripped_unless_set_explicitly()
    {
        Environment.SetEnvironmentVariable("GIT_DIR", "/nonexistent/.git");
        Environment.SetEnvironmentVariable("GIT_WORK_TREE", "/nonexistent");
        try
        {
            var runner = new ProcessRunner();
            var stripped = await runner.RunAsync(CommandSpec.Shell("echo \"[${GIT_DIR-unset}][${GIT_WORK_TREE-unset}]\"", "/"));
            var explicitlySet = await runner.RunAsync(CommandSpec.Shell("echo \"[$GIT_DIR]\"", "/") with
            {
                Environment = new Dictionary<string, string?> { ["GIT_DIR"] = "/chosen/.git" },
            });

            Assert.Equal("[unset][unset]\n", stripped.StdoutText);
            Assert.Equal("[/chosen/.git]\n", explicitlySet.StdoutText);
        }
        finally
        {
            Environment.SetEnvironmentVariable("GIT_DIR", null);
            Environment.SetEnvironmentVariable("GIT_WORK_TREE", null);
        }
    }
}
