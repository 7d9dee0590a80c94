#!/usr/bin/env bash
# FNAS's claim in miniature: the search of bench/fnas-pruning.yaml with and without pruning
# before training (same seed, same budget). Prints wall time, candidates trained and the best
# accuracy meeting the spec for both. Usage: bash bench/pruning_bench.sh [build dir]
set -euo pipefail
cd "$(dirname "$0")/.."
HWNAS=${1:-build}/tools/hwnas/hwnas
OUT=runs/pruning-bench
rm -rf "$OUT"
mkdir -p "$OUT"
sed 's/prune_before_training: true/prune_before_training: false/; s/^name: fnas-pruning/name: fnas-no-pruning/' \
  bench/fnas-pruning.yaml > bench/.fnas-no-pruning.yaml
trap 'rm -f bench/.fnas-no-pruning.yaml' EXIT
for variant in fnas-pruning .fnas-no-pruning; do
  start=$(date +%s)
  "$HWNAS" search "bench/$variant.yaml" --out "$OUT/$variant" --quiet --json > "$OUT/$variant.json"
  end=$(date +%s)
  echo "$variant $((end - start))" >> "$OUT/times"
done
echo "| run | wall time (s) | candidates trained | rejected by the spec | best accuracy meeting the spec (validation / test) |"
echo "|---|---|---|---|---|"
for variant in fnas-pruning .fnas-no-pruning; do
  seconds=$(grep "^$variant " "$OUT/times" | cut -d' ' -f2)
  "$HWNAS" report "$OUT/$variant" --json | python3 -c "
import json, sys
s = json.load(sys.stdin)
b = s['best'] or {}
rejected = sum(v for k, v in s['stages'].items() if k != 'passed')
print(f\"| {'with' if '$variant' == 'fnas-pruning' else 'without'} pruning | {float('$seconds'):.0f} | {s['trained']} | {rejected} | {b.get('accuracy', float('nan')):.4f} / {b.get('test_accuracy', float('nan')):.4f} |\")"
done
