// TEMPORARY: replaced by helper/stats before landing.
namespace Perfloop.Statistics;
public enum MetricDirection { LowerIsBetter, HigherIsBetter }
public enum Verdict { Improved, Regressed, Equivalent, Inconclusive }
public sealed record RatioEstimate(double Ratio, double Low, double High, double ConfidenceLevel, int Pairs)
{ public double DeltaPct => (Ratio - 1) * 100; public double LowPct => (Low - 1) * 100; public double HighPct => (High - 1) * 100; }
public sealed record VerdictResult(Verdict Verdict, RatioEstimate Estimate, double ThresholdPct, bool SignificantlyWorse, bool SignificantlyBetter);
public sealed record SequentialDesign(int MinPairs = 6, int MaxPairs = 30, double Alpha = 0.05);
public sealed record SequentialStep(bool Stop, VerdictResult Result, int Look, string Why);
public static class SequentialTest
{
    public static SequentialStep Evaluate(SequentialDesign design, IReadOnlyList<double> baseline, IReadOnlyList<double> candidate, double thresholdPct, MetricDirection direction, bool budgetExhausted = false)
    {
        var r = baseline.Zip(candidate, (a, b) => Math.Log(b / a)).Order().ToList();
        var med = Math.Exp(r[r.Count / 2]);
        var est = new RatioEstimate(med, Math.Exp(r[0]), Math.Exp(r[^1]), 0.95, r.Count);
        var v = est.High < 1 - thresholdPct / 100 ? Verdict.Improved : est.Low > 1 + thresholdPct / 100 ? Verdict.Regressed : est.Low > 1 - thresholdPct / 100 && est.High < 1 + thresholdPct / 100 ? Verdict.Equivalent : Verdict.Inconclusive;
        var res = new VerdictResult(v, est, thresholdPct, est.Low > 1, est.High < 1);
        return new SequentialStep(v != Verdict.Inconclusive || r.Count >= design.MaxPairs || budgetExhausted, res, 1, "temp");
    }
}
