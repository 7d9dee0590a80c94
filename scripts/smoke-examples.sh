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
"$HWNAS" estimate -n examples/networks/mbv2.yaml --accelerator examples/accel/edge-default.yaml \
  --json >/dev/null
count=$((count + 1))
# The measured-device example needs its latency model (runs/ is ignored by git).
mkdir -p runs
"$HWNAS" latency fit --space nb201 --measurements data/nasbench201/hw_nas_bench_cifar10.csv \
  --column edgetpu --rows 500 --out runs/edgetpu.model >/dev/null
count=$((count + 1))
for run_file in examples/quickstart.yaml bench/fnas-pruning.yaml examples/cosearch.yaml \
  examples/nb201-edgetpu.yaml; do
  "$HWNAS" search "$run_file" --check >/dev/null
  count=$((count + 1))
done
# The table-driven searches take seconds: run them for real.
smoke_out=$(mktemp -d)
trap 'rm -rf "$smoke_out"' EXIT
"$HWNAS" search examples/nb201-edgetpu.yaml --out "$smoke_out/nb" --quiet >/dev/null
"$HWNAS" search examples/cosearch.yaml --mode all --out "$smoke_out/cmp" --quiet >/dev/null
"$HWNAS" bench search --device edgetpu --queries 50,100 --seeds 2 >/dev/null 2>&1
count=$((count + 3))
echo "smoke: $count example runs passed"
