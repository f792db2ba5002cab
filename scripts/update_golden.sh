#!/usr/bin/env bash
# Rewrites the golden stage texts of tests/reference/ir/ (tests/cpp/test_golden_ir.cpp) from the
# current code. Review the diff (git diff tests/reference/ir) before committing it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ccache_env.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DRANVIER_WERROR=ON >/dev/null
cmake --build build --parallel 2 --target ranvier_tests
for m in hh_cell hh_cell_float32 mixed_cell network; do mkdir -p "tests/reference/ir/$m"; done
RANVIER_UPDATE_GOLDEN=1 build/tests/ranvier_tests --gtest_filter='Models/GoldenIr.*'
git status --short tests/reference/ir
