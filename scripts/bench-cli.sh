#!/usr/bin/env bash
# Times `scorpius assess` end to end on N mixed requests (default 100,000): the example requests repeated with fresh
# ids, through a Release build of the CLI, output to a file. Prints the wall time and requests per second.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

dotnet build services/Scorpius.Cli -c Release -nologo -clp:ErrorsOnly >/dev/null
mapfile -t LINES < <(grep -v '^\s*$' examples/requests.jsonl)
awk -v n="$N" 'BEGIN { srand(1) } { lines[NR] = $0 } END {
  for (i = 0; i < n; i++) { l = lines[(i % NR) + 1]; sub(/"id":"[^"]*"/, "\"id\":\"r" i "\"", l); print l } }' examples/requests.jsonl > "$WORK/in.jsonl"

CLI=services/Scorpius.Cli/bin/Release/net10.0/scorpius.dll
start=$(date +%s.%N)
dotnet "$CLI" assess --input "$WORK/in.jsonl" --output "$WORK/out.jsonl" --no-progress
end=$(date +%s.%N)
lines_out=$(wc -l < "$WORK/out.jsonl")
[ "$lines_out" -eq "$N" ] || { echo "expected $N results, got $lines_out" >&2; exit 1; }
awk -v s="$start" -v e="$end" -v n="$N" 'BEGIN { t = e - s; printf "%d requests in %.2f s: %.0f requests/s (end to end, process start included)\n", n, t, n / t }'
grep -o '"verdict":"[a-z]*"' "$WORK/out.jsonl" | sort | uniq -c
