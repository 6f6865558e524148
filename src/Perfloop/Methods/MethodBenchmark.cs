using System.Diagnostics;
using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using Perfloop.Errors;
using Perfloop.Measurement;
using Perfloop.Statistics;

namespace Perfloop.Methods;

/// <summary>An in-process A/B of one method: two builds, inputs, the threshold and the sequential plan.</summary>
/// <param name="BaselineDirectory">Build output folder of the unchanged code.</param>
/// <param name="CandidateDirectory">Build output folder of the changed code.</param>
/// <param name="Method">The public static method to time.</param>
/// <param name="Inputs">Its argument sets; one timed operation calls it once with each set.</param>
/// <param name="ThresholdPct">The change that matters, in percent (the domain's micro threshold).</param>
public sealed record MethodBenchmarkRequest(
    string BaselineDirectory,
    string CandidateDirectory,
    MethodName Method,
    MethodInputs Inputs,
    double ThresholdPct)
{
    /// <summary>
    /// The same group-sequential design as process benchmarks, with more pairs: a pair costs two ~1 ms batches here,
    /// not two program runs, so many pairs are cheap and a small effect still gets decided.
    /// </summary>
    public SequentialDesign Design { get; init; } = new(MinPairs: 20, MaxPairs: 2000);

    /// <summary>Each timed batch repeats the calls until it lasts at least this long, so the timer's resolution and the loop's overhead vanish.</summary>
    public TimeSpan BatchTarget { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>Warm-up lasts at least this long (tiered compilation delays call counting by 100 ms after the last tier-0 JIT).</summary>
    public TimeSpan MinWarmup { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Warm-up gives up waiting for stable timings after this long and measures anyway (the report says so).</summary>
    public TimeSpan MaxWarmup { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Measurement time budget; at its end the verdict is taken at the forced-stop level.</summary>
    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromSeconds(60);

    public int Seed { get; init; } = 20261126;
}

/// <summary>One timed batch: nanoseconds and bytes allocated per operation.</summary>
public sealed record MethodSample(int Pair, Side Side, double NsPerOp, double BytesPerOp);

/// <summary>The verdict of an in-process A/B with the medians behind it and how the run went.</summary>
public sealed record MethodBenchmarkReport(
    string Method,
    VerdictResult? Result,
    string StopReason,
    int Pairs,
    long CallsPerBatch,
    double BaselineNsPerOp,
    double CandidateNsPerOp,
    double BaselineBytesPerOp,
    double CandidateBytesPerOp,
    TimeSpan Warmup,
    bool WarmupStable,
    TimeSpan Elapsed,
    string RuntimeSettings,
    IReadOnlyList<MethodSample> Samples);

/// <summary>
/// The in-process method micro-benchmark: baseline and candidate builds loaded side by side (<see cref="MethodBuild"/>),
/// each call site compiled to a tight loop (an expression tree, so no reflection in the timed path and no allocation
/// by the harness), batches sized to ≥ <see cref="MethodBenchmarkRequest.BatchTarget"/>, warmed alternately until
/// both sides' timings stop moving (tier-1 reached), then timed in ABBA blocks and judged by the same
/// <see cref="SequentialTest"/> as whole-program benchmarks. Allocations per call come from
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/> around each batch.
/// </summary>
public static class MethodBenchmark
{
    const int WarmupWindow = 10;
    const double WarmupStableFraction = 0.03;

    public static MethodBenchmarkReport Run(MethodBenchmarkRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var clock = Stopwatch.StartNew();
        using var baseline = MethodBuild.Load(request.BaselineDirectory, request.Method.TypeName, "baseline");
        using var candidate = MethodBuild.Load(request.CandidateDirectory, request.Method.TypeName, "candidate");
        var runA = Compile(baseline, request, "baseline");
        var runB = Compile(candidate, request, "candidate");
        var operationsPerCall = runA.OperationsPerIteration;

        var calls = Calibrate(runA, request.BatchTarget);
        var (warmup, stable) = WarmUp(runA, runB, calls, request, cancellationToken);

        var random = new Random(request.Seed);
        var samples = new List<MethodSample>();
        var baselineNs = new List<double>();
        var candidateNs = new List<double>();
        var measuring = Stopwatch.StartNew();
        var looks = request.Design.Looks.ToHashSet();
        SequentialStep? step = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var first = random.Next(2) == 0 ? Side.Baseline : Side.Candidate;
            var other = first == Side.Baseline ? Side.Candidate : Side.Baseline;
            foreach (var side in new[] { first, other, other, first })
            {
                var (ns, bytes) = (side == Side.Baseline ? runA : runB).Time(calls);
                var values = side == Side.Baseline ? baselineNs : candidateNs;
                values.Add(ns / (calls * operationsPerCall));
                samples.Add(new MethodSample(values.Count - 1, side, ns / (calls * operationsPerCall), (double)bytes / (calls * operationsPerCall)));
            }

            // Only planned looks (or the end of the budget) are evaluated: an interval over hundreds of pairs is not free.
            var budgetEnded = measuring.Elapsed >= request.MaxDuration;
            if (!looks.Contains(baselineNs.Count) && !budgetEnded)
            {
                continue;
            }

            step = SequentialTest.Evaluate(request.Design, baselineNs, candidateNs, request.ThresholdPct, MetricDirection.LowerIsBetter, budgetEnded);
            if (step.Stop)
            {
                break;
            }
        }

        return new MethodBenchmarkReport(
            request.Method.ToString(), step.Result, step.Why, baselineNs.Count, calls,
            Median.Of(baselineNs) ?? double.NaN, Median.Of(candidateNs) ?? double.NaN,
            Median.Of(samples.Where(s => s.Side == Side.Baseline).Select(s => s.BytesPerOp)) ?? double.NaN,
            Median.Of(samples.Where(s => s.Side == Side.Candidate).Select(s => s.BytesPerOp)) ?? double.NaN,
            warmup, stable, clock.Elapsed, RuntimeSettings(), samples);
    }

    /// <summary>The JIT settings the timings were taken under (environment overrides included), for the report.</summary>
    public static string RuntimeSettings()
    {
        static string Setting(string env, string name, string fallback) =>
            Environment.GetEnvironmentVariable("DOTNET_" + env) is { Length: > 0 } value ? $"{name}={value} (DOTNET_{env})"
            : AppContext.GetData(name) is { } configured ? $"{name}={configured}"
            : $"{name}={fallback} (default)";

        return string.Join(", ",
            Setting("TieredCompilation", "System.Runtime.TieredCompilation", "true"),
            Setting("TieredPGO", "System.Runtime.TieredPGO", "true"),
            Setting("TC_QuickJitForLoops", "System.Runtime.TieredCompilation.QuickJitForLoops", "true"));
    }

    static long Calibrate(CompiledLoop loop, TimeSpan target)
    {
        var targetNs = target.TotalNanoseconds;
        long calls = 1;
        while (true)
        {
            var (ns, _) = loop.Time(calls);
            if (ns >= targetNs || calls >= 1L << 40)
            {
                return calls;
            }

            // Grow towards the target at most 10× at a time: early timings are of tier-0 code and too slow.
            calls = Math.Max(calls * 2, Math.Min(calls * 10, (long)(calls * targetNs / Math.Max(ns, 1))));
        }
    }

    static (TimeSpan Elapsed, bool Stable) WarmUp(CompiledLoop a, CompiledLoop b, long calls, MethodBenchmarkRequest request, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var timesA = new List<double>();
        var timesB = new List<double>();
        while (clock.Elapsed < request.MaxWarmup)
        {
            cancellationToken.ThrowIfCancellationRequested();
            timesA.Add(a.Time(calls).Ns);
            timesB.Add(b.Time(calls).Ns);
            if (clock.Elapsed >= request.MinWarmup && Settled(timesA) && Settled(timesB))
            {
                return (clock.Elapsed, true);
            }
        }

        return (clock.Elapsed, false);
    }

    // Settled: the median of the last window is within a few percent of the window before it.
    static bool Settled(List<double> times)
    {
        if (times.Count < 2 * WarmupWindow)
        {
            return false;
        }

        var last = Median.Of(times.Skip(times.Count - WarmupWindow))!.Value;
        var previous = Median.Of(times.Skip(times.Count - (2 * WarmupWindow)).Take(WarmupWindow))!.Value;
        return Math.Abs(last - previous) <= WarmupStableFraction * previous;
    }


    static CompiledLoop Compile(MethodBuild build, MethodBenchmarkRequest request, string label)
    {
        var method = build.GetMethod(request.Method, request.Inputs.ArgumentCount, label);
        var parameters = method.GetParameters();
        if (parameters.Any(p => p.ParameterType.IsByRef))
        {
            throw new PerfloopException($"{Mention.Input("method")}: {request.Method} has ref/out parameters; micro-ab times methods whose arguments are passed by value (wrap it in a static method that is)");
        }

        var sets = request.Inputs.Create(build, method, label);

        // for (i = 0; i < n; i++) { r0 = M(set0…); r1 = M(set1…); … }  sink = r0;
        var count = Expression.Parameter(typeof(long), "n");
        var index = Expression.Variable(typeof(long), "i");
        var results = method.ReturnType == typeof(void) ? [] : sets.Select((_, i) => Expression.Variable(method.ReturnType, $"r{i}")).ToList();
        var callsInBody = sets.Select((set, s) =>
        {
            Expression call = Expression.Call(method, set.Select((value, i) => (Expression)Expression.Constant(value, parameters[i].ParameterType)));
            return results.Count == 0 ? call : Expression.Assign(results[s], call);
        }).ToList();
        var exit = Expression.Label("done");
        var loop = Expression.Loop(
            Expression.IfThenElse(
                Expression.LessThan(index, count),
                Expression.Block(callsInBody.Append(Expression.PostIncrementAssign(index))),
                Expression.Break(exit)),
            exit);
        // The last result goes into a box made once, so nothing is allocated per batch that the method did not allocate.
        var sink = results.Count == 0 ? null : Activator.CreateInstance(typeof(StrongBox<>).MakeGenericType(method.ReturnType))!;
        var body = Expression.Block(
            results.Append(index),
            Expression.Assign(index, Expression.Constant(0L)),
            loop,
            sink is null ? Expression.Empty() : Expression.Assign(Expression.Field(Expression.Constant(sink), "Value"), results[0]));
        return new CompiledLoop(Expression.Lambda<Action<long>>(body, count).Compile(), sets.Count, sink);
    }

    sealed class CompiledLoop(Action<long> loop, int operationsPerIteration, object? sink)
    {
        public int OperationsPerIteration => operationsPerIteration;

        public (double Ns, long Bytes) Time(long calls)
        {
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            var started = Stopwatch.GetTimestamp();
            loop(calls);
            var elapsed = Stopwatch.GetElapsedTime(started);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            // The sink holds the last result: the calls producing it cannot be dropped as dead code.
            GC.KeepAlive(sink);
            return (elapsed.TotalNanoseconds, allocated);
        }
    }
}
