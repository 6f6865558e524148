using System.CommandLine;
using System.Globalization;
using Perfloop.Cli.Rendering;
using Perfloop.Errors;
using Perfloop.Methods;
using Perfloop.Statistics;
using Perfloop.UseCases;

namespace Perfloop.Cli.Commands;

static class MicroAbCommand
{
    public static Command Create()
    {
        var target = MethodTargetOptions.Create();
        var threshold = NumberOption.Create("--threshold", "Change that matters, in percent (default 10, the cpu domain's micro threshold)", 10.0, t => t is > 0 and < 100, "must be a percentage between 0 and 100");
        var maxSeconds = NumberOption.Create("--max-seconds", "Measurement budget after warm-up (default 60)", 60.0, s => s is > 0 and <= 1e6, "must be a positive number of seconds up to 1000000");
        var json = new Option<bool>("--json") { Description = "Print the result as JSON on stdout" };
        var command = new Command("micro-ab", "Time a method of two builds side by side in this process (interleaved, warmed to tier-1) and give the verdict (exit 3 on a regression)")
        {
            threshold, maxSeconds, json,
        };
        target.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommandLine.GuardAsync(() =>
        {
            var request = new MethodBenchmarkRequest(
                parse.GetValue(target.Baseline)!, parse.GetValue(target.Candidate)!, MethodName.Parse(parse.GetValue(target.Method)!), target.Inputs(parse), parse.GetValue(threshold))
            {
                MaxDuration = TimeSpan.FromSeconds(parse.GetValue(maxSeconds)),
            };
            Console.Error.WriteLine($"[micro-ab] {request.Method}: loading both builds, warming up to tier-1 ({MethodBenchmark.RuntimeSettings()})");
            var report = Tools.BenchmarkMethod(request, cancellationToken);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(new
                {
                    report.Method,
                    Verdict = report.Result?.Verdict,
                    DeltaPct = report.Result?.Estimate.DeltaPct,
                    LowPct = report.Result?.Estimate.LowPct,
                    HighPct = report.Result?.Estimate.HighPct,
                    ConfidenceLevel = report.Result?.Estimate.ConfidenceLevel,
                    ThresholdPct = request.ThresholdPct,
                    report.BaselineNsPerOp,
                    report.CandidateNsPerOp,
                    report.BaselineBytesPerOp,
                    report.CandidateBytesPerOp,
                    report.Pairs,
                    report.CallsPerBatch,
                    WarmupSeconds = report.Warmup.TotalSeconds,
                    report.WarmupStable,
                    ElapsedSeconds = report.Elapsed.TotalSeconds,
                    report.StopReason,
                    report.RuntimeSettings,
                });
            }
            else
            {
                foreach (var line in Lines(report))
                {
                    Console.WriteLine(line);
                }
            }

            return Task.FromResult(report.Result?.Verdict == Verdict.Regressed ? ExitCodes.Regression : ExitCodes.Success);
        }, cancellationToken));
        return command;
    }

    static IEnumerable<string> Lines(MethodBenchmarkReport report)
    {
        var c = CultureInfo.InvariantCulture;
        yield return string.Create(c, $"{report.Method}: {report.BaselineNsPerOp:#,0.#} ns/op → {report.CandidateNsPerOp:#,0.#} ns/op, {report.BaselineBytesPerOp:#,0} → {report.CandidateBytesPerOp:#,0} B/op");
        if (report.Result is { } result)
        {
            yield return $"verdict: {result.Verdict}, {Figures.WithInterval(result.Estimate)} against ±{Figures.Percent(result.ThresholdPct)}";
        }

        yield return string.Create(c, $"{report.Pairs} pairs of {report.CallsPerBatch:#,0}-call batches; warm-up {report.Warmup.TotalSeconds:0.0} s{(report.WarmupStable ? "" : " (timings never settled; treat with care)")}; total {report.Elapsed.TotalSeconds:0.0} s; {report.StopReason}");
    }
}
