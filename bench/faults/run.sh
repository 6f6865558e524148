#!/bin/sh
# Fault injection: kills `perfloop run --allow-dirty` with SIGKILL at random moments over a small shell project,
# re-runs it after each kill and checks the invariants (see tests/Perfloop.IntegrationTests/Reliability/FaultInjector.cs).
# Usage: bench/faults/run.sh [kills=50] [seed=20261126]   — prints the figures and writes them to bench/faults/last-run.txt
set -eu
cd "$(dirname "$0")/../.."
kills="${1:-50}"
seed="${2:-20261126}"
report="$(pwd)/bench/faults/last-run.txt"
PERFLOOP_FAULT_KILLS="$kills" PERFLOOP_FAULT_SEED="$seed" PERFLOOP_FAULT_REPORT="$report" \
  dotnet test tests/Perfloop.IntegrationTests --filter "FullyQualifiedName~FaultInjectionTests" --logger "console;verbosity=normal"
cat "$report"
