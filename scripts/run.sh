#!/usr/bin/env bash
# The main job: install what is needed, build, and run hwnas on the default network and device.
# Until the search lands (issue 5) the main job is `hwnas estimate`: the best tiled accelerator
# for LeNet on the xczu3eg (Ultra96), and the same network on the FINN-style dataflow engine.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
HWNAS=build/tools/hwnas/hwnas
"$HWNAS" estimate --network examples/networks/lenet.yaml --device xczu3eg --template tiled
echo
"$HWNAS" estimate --network examples/networks/lenet.yaml --device xczu3eg --template dataflow
