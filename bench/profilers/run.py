#!/usr/bin/env python3
"""
Overhead and coverage of each profiler 'perfloop profile' drives, side by side in one run.

For each language the same word-frequency workload (workload/) runs plain and under 'perfloop profile',
interleaved (plain, profiled, plain, profiled, ...) so drift of a shared machine hits both alike. Reported:
the median wall time of each, their ratio (what a user waits for one profile, ranking included), and from the
ranking the share of the profile whose leaf (the running frame) is a named function, and the share whose leaf
is the repository's own code rather than a library, the runtime or the kernel.

    python3 bench/profilers/run.py [rounds [workload…]]   (default 5, every workload; needs cc, valgrind, python3, node, a JDK, dotnet)
"""
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
# Optional: only these workloads (native, python, node, jvm, dotnet), to re-measure one runtime.
ONLY = set(sys.argv[2:])
CLI = os.path.join(ROOT, "src", "Perfloop.Cli", "bin", "Release", "net10.0", "Perfloop.Cli.dll")

# Leaves that name no function: unresolved addresses, V8's pseudo-frames.
UNNAMED = re.compile(r"^(0x[0-9a-f]+|\?.*|.*!0x[0-9a-f]+|\((program|idle|root|garbage collector|anonymous[^)]*)\))$")


def run(command, cwd, quiet=True):
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, stdout=subprocess.PIPE if quiet else None, stderr=subprocess.PIPE if quiet else None)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        output = (result.stdout or b"") + (result.stderr or b"")
        sys.exit(f"{' '.join(command)} failed in {cwd}: {output.decode(errors='replace')[-2000:]}")
    return elapsed


def setup(work):
    shutil.copytree(os.path.join(HERE, "workload"), os.path.join(work, "native"))
    for name in ("python", "node", "jvm"):
        shutil.copytree(os.path.join(HERE, "workload"), os.path.join(work, name))
    shutil.copytree(os.path.join(ROOT, "samples", "demo", "app"), os.path.join(work, "dotnet"),
                    ignore=shutil.ignore_patterns("bin", "obj", "out"))
    run(["cc", "-O2", "-g", "-o", "wordfreq", "wordfreq.c"], os.path.join(work, "native"))
    run(["javac", "WordFreq.java"], os.path.join(work, "jvm"))
    run(["dotnet", "build", "Demo.csproj", "-c", "Release", "-o", "out", "-nologo", "-v", "q"], os.path.join(work, "dotnet"))
    for name in ("native", "python", "node", "jvm", "dotnet"):
        directory = os.path.join(work, name)
        for git in (["init", "-q"], ["add", "-A"], ["-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "workload"]):
            run(["git", *git], directory)
        with open(os.path.join(directory, ".git", "info", "exclude"), "a") as exclude:
            exclude.write(".perfloop/\nout/\nobj/\nbin/\n*.class\nwordfreq\n")


CASES = [
    ("native (C, -O2 -g)", "native", ["./wordfreq"], "valgrind --tool=callgrind"),
    ("Python 3.11", "python", ["python3", "wordfreq.py"], "cProfile (its wall clock)"),
    ("Python 3.11", "python", ["env", "PERFLOOP_CPROFILE_TIMER=cpu", "python3", "wordfreq.py"], "cProfile (CPU time)"),
    ("Node.js", "node", ["node", "wordfreq.js"], "node --cpu-prof (500 µs)"),
    ("JVM (Java 17)", "jvm", ["java", "WordFreq"], "JFR (5 ms samples)"),
    (".NET (the demo)", "dotnet", ["dotnet", "out/Demo.dll", "bench"], "EventPipe"),
]


def coverage(directory):
    with open(os.path.join(directory, ".perfloop", "bottlenecks.json")) as f:
        ranking = json.load(f)
    functions = ranking["functions"]
    named = sum(f["selfPercent"] for f in functions if not UNNAMED.match(f["function"]))
    own_code = sum(f["selfPercent"] for f in functions if f["optimizable"])
    top = next((f["function"] for f in functions if f["optimizable"]), "-")
    return named, own_code, top, ranking["profile"]["unit"], ranking["profile"]["notes"]


def main():
    if not os.path.exists(CLI):
        run(["dotnet", "build", os.path.join(ROOT, "src", "Perfloop.Cli"), "-c", "Release", "-nologo", "-v", "q"], ROOT)
    load_before = os.getloadavg()
    work = tempfile.mkdtemp(prefix="perfloop-profilers-")
    try:
        setup(work)
        rows = []
        for label, name, command, tool in CASES:
            if ONLY and name not in ONLY:
                continue
            directory = os.path.join(work, name)
            run(command, directory)  # warm the file cache and JIT caches once
            plain, profiled = [], []
            for _ in range(ROUNDS):
                plain.append(run(command, directory))
                profiled.append(run(["dotnet", CLI, "profile", "--", *command], directory))
            named, own_code, top, unit, notes = coverage(directory)
            p, q = statistics.median(plain), statistics.median(profiled)
            rows.append((label, tool, p, q, q / p, named, own_code, top, unit))
            for note in notes:
                print(f"{label}: note: {note}", file=sys.stderr)
            print(f"{label}: plain {p:.2f} s, profiled {q:.2f} s", file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    load_after = os.getloadavg()

    print(f"{ROUNDS} interleaved rounds per language; load average {load_before[0]:.2f} before, {load_after[0]:.2f} after; {os.cpu_count()} cores\n")
    print("| runtime | profiler | plain (median) | `perfloop profile` (median) | ratio | unit | leaf is a named function | leaf is the repository's code | top target |")
    print("|---|---|---:|---:|---:|---|---:|---:|---|")
    for label, tool, p, q, ratio, named, own_code, top, unit in rows:
        print(f"| {label} | {tool} | {p:.2f} s | {q:.2f} s | {ratio:.1f}x | {unit} | {named:.1f}% | {own_code:.1f}% | `{top}` |")


if __name__ == "__main__":
    main()
