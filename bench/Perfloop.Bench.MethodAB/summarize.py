"""Summarises one perfloop micro-ab --json output, or a baseline/candidate pair of BenchmarkDotNet artifact folders."""
import glob
import json
import sys


def micro(path):
    r = json.load(open(path))
    return (f"{r['verdict']}, {r['deltaPct']:+.1f}% [{r['lowPct']:+.1f}%, {r['highPct']:+.1f}%], "
            f"{r['baselineNsPerOp']:.0f} -> {r['candidateNsPerOp']:.0f} ns/op, {r['pairs']} pairs, "
            f"warm-up {r['warmupSeconds']:.1f} s, in-process total {r['elapsedSeconds']:.1f} s")


def bdn_stats(folder):
    report = json.load(open(glob.glob(folder + "/results/*-report-full*.json")[0]))
    s = report["Benchmarks"][0]["Statistics"]
    return s["Mean"], s["ConfidenceInterval"]["Lower"], s["ConfidenceInterval"]["Upper"]


def bdn(baseline_folder, candidate_folder):
    (a, alo, ahi), (b, blo, bhi) = bdn_stats(baseline_folder), bdn_stats(candidate_folder)
    verdict = "Faster" if bhi < alo else "Slower" if blo > ahi else "Same (99.9% intervals overlap)"
    return (f"{verdict}, {100 * (b / a - 1):+.1f}% (means {a:.0f} -> {b:.0f} ns, "
            f"99.9% CIs [{alo:.0f}, {ahi:.0f}] and [{blo:.0f}, {bhi:.0f}])")


if __name__ == "__main__":
    print(micro(sys.argv[2]) if sys.argv[1] == "micro" else bdn(sys.argv[2], sys.argv[3]))
