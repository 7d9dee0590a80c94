#!/usr/bin/env bash
# The main job: install what is needed, build, and run a real hardware-aware search
# (examples/quickstart.yaml: Fashion-MNIST, xczu3eg, latency and DSP limits, NSGA-II), which
# prints its progress, the accuracy/latency Pareto front and the best design for the spec.
# A second run continues from the store in runs/quickstart (nothing is evaluated twice).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
HWNAS=build/tools/hwnas/hwnas
"$HWNAS" search examples/quickstart.yaml --out runs/quickstart --resume
