#!/usr/bin/env bash
# Builds Ranvier and runs the whole test suite: C++ (GoogleTest through ctest), then Python (pytest).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
ctest --test-dir build --output-on-failure --timeout 600 -j "$(nproc)"
bash scripts/python_tests.sh
