#!/bin/sh
# Fault injection: interrupts `perfloop run --allow-dirty` at random moments over a small shell project — half SIGKILL
# (of the process or its whole group), half SIGINT to its process group as a terminal's Ctrl-C — re-runs it after
# each and checks the invariants, leftover processes and trusted files included
# (see tests/Perfloop.IntegrationTests/Reliability/FaultInjector.cs).
# Usage: bench/faults/run.sh [interruptions=200] [seed=20261126]   — prints the figures and writes them to bench/faults/last-run.txt
set -eu
cd "$(dirname "$0")/../.."
interruptions="${1:-200}"
seed="${2:-20261126}"
report="$(pwd)/bench/faults/last-run.txt"
uptime
PERFLOOP_FAULT_INTERRUPTIONS="$interruptions" PERFLOOP_FAULT_SEED="$seed" PERFLOOP_FAULT_REPORT="$report" \
  dotnet test tests/Perfloop.IntegrationTests -c Release --no-build --filter "FullyQualifiedName~FaultInjectionTests" --logger "console;verbosity=normal"
uptime
cat "$report"
