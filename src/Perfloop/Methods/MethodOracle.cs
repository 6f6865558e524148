using System.Reflection;
using Perfloop.Errors;

namespace Perfloop.Methods;

/// <summary>A method in two builds, and the inputs to call it with.</summary>
/// <param name="BaselineDirectory">Build output folder of the unchanged code.</param>
/// <param name="CandidateDirectory">Build output folder of the changed code.</param>
/// <param name="Method">The public static method to call.</param>
/// <param name="Inputs">Its argument sets (JSON file or probe).</param>
/// <param name="Tolerance">Relative tolerance for double/float comparison; 0 (default) compares them exactly.</param>
public sealed record MethodOracleRequest(
    string BaselineDirectory,
    string CandidateDirectory,
    MethodName Method,
    MethodInputs Inputs,
    double Tolerance = 0);

/// <summary>One difference, at input <see cref="Input"/>: <c>return[2]: 7 vs 8</c>, <c>args[0].Items[3].Name: "a" vs "b"</c>, <c>exception: none vs System.InvalidOperationException</c>.</summary>
public sealed record MethodDifference(int Input, string Path, string Baseline, string Candidate)
{
    public override string ToString() => $"input {Input}: {Path}: {Baseline} vs {Candidate}";
}

/// <summary>The oracle's verdict: equal behaviour on every input, or the differences found.</summary>
public sealed record MethodOracleReport(string Method, int Inputs, IReadOnlyList<MethodDifference> Differences)
{
    public bool Equal => Differences.Count == 0;
}

/// <summary>
/// The behavioural oracle for one method: calls it in the baseline and the candidate build with the same inputs
/// (fresh objects on each side) and compares what the caller can observe — the return value, every argument after
/// the call (a method may mutate what it is given), and the exception type — as object graphs. The loop's check step
/// calls <see cref="Compare(MethodOracleRequest)"/>; the <c>method-oracle</c> verb prints its report.
/// </summary>
public static class MethodOracle
{
    public static MethodOracleReport Compare(MethodOracleRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var baseline = MethodBuild.Load(request.BaselineDirectory, request.Method.TypeName, "baseline");
        using var candidate = MethodBuild.Load(request.CandidateDirectory, request.Method.TypeName, "candidate");
        return Compare(baseline, candidate, request);
    }

    internal static MethodOracleReport Compare(MethodBuild baseline, MethodBuild candidate, MethodOracleRequest request)
    {
        var methodA = baseline.GetMethod(request.Method, request.Inputs.ArgumentCount, "baseline");
        var methodB = candidate.GetMethod(request.Method, methodA.GetParameters().Length, "candidate");
        var inputsA = request.Inputs.Create(baseline, methodA, "baseline");
        var inputsB = request.Inputs.Create(candidate, methodB, "candidate");
        if (inputsA.Count != inputsB.Count)
        {
            throw new PerfloopException($"{Mention.Input("probe")}: made {inputsA.Count} argument sets in the baseline but {inputsB.Count} in the candidate; a probe must be deterministic");
        }

        var comparer = new ObjectGraphComparer(request.Tolerance);
        var differences = new List<MethodDifference>();
        for (var input = 0; input < inputsA.Count; input++)
        {
            var a = Call(methodA, inputsA[input]);
            var b = Call(methodB, inputsB[input]);
            if (a.Exception != b.Exception)
            {
                differences.Add(new MethodDifference(input, "exception", a.Exception ?? "none", b.Exception ?? "none"));
            }
            else if (a.Exception is null)
            {
                Add(differences, input, comparer.Compare(a.Return, b.Return, "return"));
            }

            // Arguments are compared after a throw too: a method may have half-mutated its input before failing.
            for (var i = 0; i < inputsA[input].Length; i++)
            {
                Add(differences, input, comparer.Compare(inputsA[input][i], inputsB[input][i], $"args[{i}]"));
            }
        }

        return new MethodOracleReport(request.Method.ToString(), inputsA.Count, differences);
    }

    static void Add(List<MethodDifference> into, int input, IReadOnlyList<GraphDifference> found) =>
        into.AddRange(found.Select(d => new MethodDifference(input, d.Path, d.Baseline, d.Candidate)));

    static (object? Return, string? Exception) Call(MethodInfo method, object?[] arguments)
    {
        try
        {
            // Invoke writes ref/out results back into the array, so they are compared as arguments.
            return (method.Invoke(null, arguments), null);
        }
        catch (TargetInvocationException e)
        {
            return (null, e.InnerException?.GetType().FullName ?? "unknown exception");
        }
    }
}
