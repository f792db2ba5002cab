#!/usr/bin/env bash
# Configures and builds Ranvier into build/ (Release, warnings as errors): the libraries, the
# CLI, the tests, the benchmarks and the Python extension ranvier._core (against build/venv's
# Python and nanobind, so the C++ core is compiled once for C++ and Python alike;
# scripts/install_python.sh then installs the package into build/venv without compiling again).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ccache_env.sh
bash scripts/make_venv.sh
py="$PWD/build/venv/bin/python"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DRANVIER_WERROR=ON \
  -DRANVIER_BUILD_BENCH="${RANVIER_BUILD_BENCH:-ON}" \
  -DRANVIER_BUILD_PYTHON=ON -DPython_EXECUTABLE="$py" \
  -Dnanobind_DIR="$("$py" -m nanobind --cmake_dir)" >/dev/null
cmake --build build --parallel "$(nproc)"
