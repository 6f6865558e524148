using Perfloop.Configuration;
using Perfloop.Errors;
using Perfloop.Processes;
using Perfloop.Safety;

namespace Perfloop.Oracle;

/// <summary>Runs the oracle commands and compares what they produce.</summary>
public sealed class OracleRunner(IProcessRunner runner, TimeSpan timeout)
{
    public async Task<IReadOnlyList<OracleOutput>> RunAsync(
        IReadOnlyList<OracleSpec> oracles, string directory, string? saveDirectory, CancellationToken cancellationToken)
    {
        var outputs = new List<OracleOutput>();
        for (var i = 0; i < oracles.Count; i++)
        {
            var oracle = oracles[i];
            var spec = CommandSpec.Shell(oracle.Command, directory) with { Timeout = timeout };
            var result = await runner.RunAsync(spec, cancellationToken);
            if (result.TimedOut)
            {
                outputs.Add(OracleOutput.From(oracle.Command, result, new Dictionary<string, string?>()) with { ExitCode = -1 });
                continue;
            }

            var files = oracle.Files.ToDictionary(f => f, f => OracleOutput.HashFile(Path.Combine(directory, f)));
            outputs.Add(OracleOutput.From(oracle.Command, result, files));
            if (saveDirectory is not null)
            {
                Directory.CreateDirectory(saveDirectory);
                await File.WriteAllBytesAsync(Path.Combine(saveDirectory, $"oracle-{i + 1}.stdout"), SecretRedactor.Current.Redact(result.StdoutHead), cancellationToken);
                await File.WriteAllTextAsync(Path.Combine(saveDirectory, $"oracle-{i + 1}.stderr"), SecretRedactor.Current.Redact(result.StderrText), cancellationToken);
            }
        }

        return outputs;
    }

    /// <summary>
    /// Runs the oracles twice on unchanged code; an oracle whose two runs differ cannot judge a candidate,
    /// so it is reported instead of trusted.
    /// </summary>
    public async Task<IReadOnlyList<OracleOutput>> CaptureAsync(
        IReadOnlyList<OracleSpec> oracles, string directory, string saveDirectory, CancellationToken cancellationToken)
    {
        var first = await RunAsync(oracles, directory, saveDirectory, cancellationToken);
        var second = await RunAsync(oracles, directory, null, cancellationToken);
        for (var i = 0; i < first.Count; i++)
        {
            if (first[i].ExitCode == -1)
            {
                throw new PerfloopException($"oracle {i + 1} ('{oracles[i].Command}') timed out after {timeout.TotalSeconds:0}s on the unchanged code; raise timeouts.oracleSeconds or use a smaller input");
            }

            if (first[i].Difference(second[i]) is { } difference)
            {
                throw new PerfloopException(
                    $"oracle {i + 1} ('{oracles[i].Command}') is not deterministic: two runs on the unchanged code differ ({difference}); make its output stable (fixed seeds, sorted output, no timestamps) before trusting it");
            }
        }

        return first;
    }

    /// <summary>Null when every oracle matches, else which one differs and how.</summary>
    public static string? Compare(IReadOnlyList<OracleOutput> expected, IReadOnlyList<OracleOutput> actual)
    {
        for (var i = 0; i < expected.Count; i++)
        {
            if (expected[i].Difference(actual[i]) is { } difference)
            {
                return $"oracle {i + 1} ('{expected[i].Command}'): {difference}";
            }
        }

        return null;
    }
}
