#!/usr/bin/env bash
# Builds Ranvier and runs the whole test suite: C++ (GoogleTest through ctest), then Python (pytest).
set -euo pipefail
cd "$(dirname "$0")/.."
# The layer rules of docs/ARCHITECTURE.md, before anything is built.
bash scripts/check_layers.sh
bash scripts/build.sh
# NVRTC for the CUDA backend's tests (a pip wheel; no GPU needed). RANVIER_SKIP_NVRTC=1 skips both.
[ "${RANVIER_SKIP_NVRTC:-0}" != "0" ] || bash scripts/install_nvrtc.sh
ctest --test-dir build --output-on-failure --timeout 600 -j "$(nproc)"
bash scripts/python_tests.sh
