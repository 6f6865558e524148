#!/usr/bin/env python3
"""What a version-manager shim adds to every start of a program: the shim and the real program it resolves to,
run alternately (ABBA blocks, so drift of a shared machine hits both alike), medians side by side.

    /usr/bin/python3 bench/shim-cost/measure.py /root/.pyenv/shims/python3 "$(pyenv which python3)" -- -c pass

Run it with a python3 that is not itself a shim (the system /usr/bin/python3), so the harness starts once, directly.
"""
import statistics
import subprocess
import sys
import time


def run(argv):
    start = time.perf_counter_ns()
    subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return (time.perf_counter_ns() - start) / 1e6


def main():
    if "--" not in sys.argv or sys.argv.index("--") != 3:
        sys.exit(__doc__)
    shim, real, args = sys.argv[1], sys.argv[2], sys.argv[4:]
    pairs = 40
    for _ in range(3):  # warm-up: file cache, the manager's own files
        run([shim, *args])
        run([real, *args])
    times = {shim: [], real: []}
    for pair in range(pairs):
        order = (shim, real) if pair % 4 in (0, 3) else (real, shim)
        for program in order:
            times[program].append(run([program, *args]))
    shim_ms, real_ms = statistics.median(times[shim]), statistics.median(times[real])
    paired = statistics.median(s - r for s, r in zip(times[shim], times[real]))
    print(f"shim  {shim}: median {shim_ms:.1f} ms over {pairs} runs")
    print(f"real  {real}: median {real_ms:.1f} ms over {pairs} runs")
    print(f"shim/real {shim_ms / real_ms:.2f}x; median paired difference {paired:.1f} ms a start")


if __name__ == "__main__":
    main()
