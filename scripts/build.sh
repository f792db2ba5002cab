#!/usr/bin/env bash
# Configures and builds Ranvier into build/ (Release, warnings as errors).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ccache_env.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DRANVIER_WERROR=ON -DRANVIER_BUILD_BENCH=${RANVIER_BUILD_BENCH:-ON} >/dev/null
cmake --build build --parallel "$(nproc)"
