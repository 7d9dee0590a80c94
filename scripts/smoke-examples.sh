#!/usr/bin/env bash
# Runs hwnas on every example file so that a broken example fails CI.
set -euo pipefail
cd "$(dirname "$0")/.."
HWNAS=${1:-build/tools/hwnas/hwnas}
count=0
for net in examples/networks/*.yaml; do
  for device in xczu3eg xc7z020; do
    for template in tiled dataflow; do
      # Exit 1 ("does not fit") is a valid answer for a big network on a small part.
      status=0
      "$HWNAS" estimate --network "$net" --device "$device" --template "$template" --json >/dev/null || status=$?
      if [ "$status" -ne 0 ] && [ "$status" -ne 1 ]; then
        echo "smoke: FAILED estimate $net $device $template (exit $status)" >&2
        exit 1
      fi
      count=$((count + 1))
    done
  done
done
"$HWNAS" estimate -n examples/networks/lenet.yaml -d xczu3eg --config examples/configs/tiled-16x8.yaml >/dev/null
"$HWNAS" estimate -n examples/networks/lenet.yaml -d xczu3eg -t dataflow \
  --config examples/configs/lenet-dataflow.yaml >/dev/null
count=$((count + 2))
"$HWNAS" map -n examples/networks/lenet.yaml -d xczu3eg -t dataflow --objective throughput >/dev/null
"$HWNAS" map -n examples/networks/lenet.yaml -d xczu3eg -t tiled --objective latency >/dev/null
count=$((count + 2))
for space in examples/spaces/*.yaml; do
  "$HWNAS" space size --space "$space" >/dev/null
  "$HWNAS" space sample --space "$space" --count 3 --seed 1 >/dev/null
  count=$((count + 2))
done
for run_file in examples/quickstart.yaml bench/fnas-pruning.yaml; do
  "$HWNAS" search "$run_file" --check >/dev/null
  count=$((count + 1))
done
echo "smoke: $count example runs passed"
