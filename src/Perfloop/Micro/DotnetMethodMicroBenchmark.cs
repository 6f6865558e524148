using System.Globalization;
using System.Text;
using Perfloop.Configuration;
using Perfloop.Errors;
using Perfloop.Methods;

namespace Perfloop.Micro;

/// <summary>
/// The loop's <c>dotnetMethod</c> micro-benchmark: the configured assembly is loaded from the baseline tree and from
/// the work tree side by side (<see cref="MethodBenchmark"/>), the method timed in interleaved ~1 ms batches after a
/// tier-1 warm-up, and judged against the micro threshold by the same sequential test. Its samples (ns/op and
/// bytes/op per batch) go to the experiment's micro-samples.tsv.
/// </summary>
public sealed class DotnetMethodMicroBenchmark(string target, DotnetMethodMicro method) : IDotnetMethodBenchmark
{
    public const string Metric = "ns_per_op";

    public string Kind => "dotnetMethod";

    public DotnetMethodMicro Method => method;

    public async Task<MicroOutcome> RunAsync(MicroRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var inputs = MethodInputs.FromJson($"[[{string.Join(", ", method.Arguments)}]]", $"{target}: micro.dotnetMethod.arguments");
        var benchmark = new MethodBenchmarkRequest(
            Folder(request.BaselineDirectory), Folder(request.CandidateDirectory), new MethodName(method.Type, method.Method), inputs, request.ThresholdPct)
        {
            MaxDuration = request.Plan.MaxDuration,
            Seed = request.Plan.Seed,
        };

        MethodBenchmarkReport report;
        try
        {
            // CPU-bound and synchronous: off the caller's thread so a cancellation can still be observed around it.
            report = await Task.Run(() => MethodBenchmark.Run(benchmark, cancellationToken), cancellationToken);
        }
        catch (PerfloopException e)
        {
            return new MicroOutcome(target, Kind, Metric, "ns", null, null, null, 0, e.Message, null);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(request.SamplesPath)!);
        await File.WriteAllTextAsync(request.SamplesPath, Samples(report), cancellationToken);
        return new MicroOutcome(target, Kind, Metric, "ns", report.Result, report.BaselineNsPerOp, report.CandidateNsPerOp, report.Pairs, null, null);
    }

    string Folder(string tree) => Path.GetDirectoryName(Path.GetFullPath(Path.Combine(tree, method.Assembly)))!;

    static string Samples(MethodBenchmarkReport report)
    {
        var table = new StringBuilder("pair\tside\tns_per_op\tbytes_per_op\n");
        foreach (var sample in report.Samples)
        {
            table.Append(CultureInfo.InvariantCulture, $"{sample.Pair}\t{sample.Side.ToString().ToLowerInvariant()}\t{sample.NsPerOp:R}\t{sample.BytesPerOp:R}\n");
        }

        return table.ToString();
    }
}
