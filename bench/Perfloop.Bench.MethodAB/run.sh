#!/usr/bin/env bash
# In-process method A/B (perfloop micro-ab) against BenchmarkDotNet on the same ~10% speedup.
# Usage, from the repository root: bench/Perfloop.Bench.MethodAB/run.sh [REPEATS]   (default 3)
# Each repeat: one micro-ab run, then BenchmarkDotNet on the baseline and on the candidate build (default job).
# Prints one line per run; the figures in bench/RESULTS.md come from it.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
here="$root/bench/Perfloop.Bench.MethodAB"
repeats="${1:-3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

dotnet build "$root/src/Perfloop.Cli" -c Release -v q --nologo -o "$work/cli" >&2
env -u PERFLOOP_VARIANT dotnet build "$here/Subject" -c Release -v q --nologo -o "$work/baseline" >&2
PERFLOOP_VARIANT=candidate dotnet build "$here/Subject" -c Release -v q --nologo -o "$work/candidate" >&2
dotnet build "$here/Bdn" -c Release -v q --nologo >&2   # restore + build once, outside the timings

seconds() { python3 -c 'import sys,time; print(f"{time.time()-float(sys.argv[1]):.2f}")' "$1"; }

for i in $(seq 1 "$repeats"); do
  start=$(date +%s.%N)
  dotnet "$work/cli/Perfloop.Cli.dll" micro-ab --baseline "$work/baseline" --candidate "$work/candidate" \
    --method Subject.Hashing.Checksum --probe Subject.Inputs --threshold 5 --json > "$work/micro-$i.json" 2>/dev/null
  echo "micro-ab run $i: $(seconds "$start") s wall; $(python3 "$here/summarize.py" micro "$work/micro-$i.json")"

  # Then the same A/B with BenchmarkDotNet, right after, so both face the same machine load.
  total=0
  for variant in baseline candidate; do
    start=$(date +%s.%N)
    PERFLOOP_VARIANT=$variant dotnet run -c Release --project "$here/Bdn" --no-build -- \
      --filter '*' --exporters json --artifacts "$work/bdn-$variant-$i" >/dev/null 2>&1
    took=$(seconds "$start")
    total=$(python3 -c "print(f'{$total+$took:.2f}')")
  done
  echo "BenchmarkDotNet run pair $i: $total s wall; $(python3 "$here/summarize.py" bdn "$work/bdn-baseline-$i" "$work/bdn-candidate-$i")"
done
