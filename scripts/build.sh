#!/usr/bin/env bash
# Configures and builds Ranvier into build/ (Release, warnings as errors): the libraries, the
# CLI, the tests, the benchmarks and the Python extension ranvier._core (against build/venv's
# Python and nanobind, so the C++ core is compiled once for C++ and Python alike;
# scripts/install_python.sh then installs the package into build/venv without compiling again).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ccache_env.sh
# RANVIER_BUILD_PYTHON=0: only the C++ side (no venv, no PyPI needed).
python_flags=(-DRANVIER_BUILD_PYTHON=OFF)
if [ "${RANVIER_BUILD_PYTHON:-1}" != "0" ]; then
  bash scripts/make_venv.sh
  py="$PWD/build/venv/bin/python"
  python_flags=(-DRANVIER_BUILD_PYTHON=ON -DPython_EXECUTABLE="$py" -Dnanobind_DIR="$("$py" -m nanobind --cmake_dir)")
fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DRANVIER_WERROR=ON \
  -DRANVIER_BUILD_BENCH="${RANVIER_BUILD_BENCH:-ON}" "${python_flags[@]}" >/dev/null
cmake --build build --parallel "$(nproc)"
