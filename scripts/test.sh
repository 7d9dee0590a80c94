#!/usr/bin/env bash
# The test job: install what is needed, check formatting, build, run every test (ctest) and
# every example as a smoke test. Exits non-zero when anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/check-format.sh
bash scripts/build.sh
(cd build && ctest --output-on-failure -j "${JOBS:-$(nproc)}")
bash scripts/smoke-examples.sh build/tools/hwnas/hwnas
