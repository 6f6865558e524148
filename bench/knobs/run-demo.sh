#!/usr/bin/env bash
# Runs `perfloop run --knobs` on a fresh copy of the demo program and prints its results.tsv.
# Usage: bench/knobs/run-demo.sh [WORKDIR]   (from the repository root; builds the CLI first)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="${1:-$(mktemp -d)}"
dotnet build "$root/src/Perfloop.Cli" -c Release -v q --nologo >&2
perfloop=(dotnet "$root/src/Perfloop.Cli/bin/Release/net10.0/Perfloop.Cli.dll")
cp -r "$root/samples/demo/app/." "$work/"
cd "$work"
printf 'bin/\nobj/\nout/\n' > .gitignore
git init -q && git add -A && git -c user.name=demo -c user.email=demo@example.com commit -qm "Demo program"
demo="$root/samples/demo/demo.json"
args=(init --bench "$(jq -r .bench "$demo")" --build "$(jq -r .build "$demo")" --guard "$(jq -r .guard "$demo")" --domain "$(jq -r .domain "$demo")")
while read -r oracle; do args+=(--oracle "$oracle"); done < <(jq -r '.oracles[]' "$demo")
"${perfloop[@]}" "${args[@]}"
git add -A && git -c user.name=demo -c user.email=demo@example.com commit -qm "Perfloop configuration"
"${perfloop[@]}" run --knobs || echo "run exited $?"
echo "--- .perfloop/results.tsv"
cat .perfloop/results.tsv
echo "--- kept commits"
git log --oneline
echo "--- knobs audit (re-measures each knob the project now sets)"
"${perfloop[@]}" knobs audit
