#!/usr/bin/env bash
# Creates the project's virtual environment build/venv (the only Python every later script uses)
# with what the build and the main job need: nanobind (the extension's build dependency),
# numpy, pandas and matplotlib. `--test` adds pytest, real Jaxley (the compatibility suite's
# reference), ruff and optax (tutorial 07); `--compat` adds what Jaxley's tutorials and test
# suite import (compat/). Idempotent: pip runs only when a package is missing. The machine's python3 is used
# for nothing but creating the venv, so a python3 that is not Debian's (pyenv) works too.
set -euo pipefail
cd "$(dirname "$0")/.."
py=build/venv/bin/python
mkdir -p build
[ -x "$py" ] || python3 -m venv build/venv
need=(nanobind numpy pandas matplotlib)
[ "${1:-}" = "--test" ] && need+=(pytest jaxley ruff optax)
# --compat: what Jaxley's tutorials and test suite import (compat/, opt-in, not CI)
[ "${1:-}" = "--compat" ] && need+=(pytest jaxley ruff optax jaxley_mech pytest_timeout networkx neuron)
missing=()
for m in "${need[@]}"; do
  "$py" -c "import $m" >/dev/null 2>&1 || missing+=("$m")
done
if [ ${#missing[@]} -gt 0 ]; then
  "$py" -m pip install -q --disable-pip-version-check --upgrade pip
  # nanobind>=2.0 as pyproject.toml asks; jaxley pinned to the version the spec describes.
  pkgs=()
  for m in "${missing[@]}"; do
    case "$m" in
      nanobind) pkgs+=("nanobind>=2.0") ;;
      jaxley) pkgs+=("jaxley==0.14.0") ;;
      jaxley_mech) pkgs+=("jaxley-mech") ;;
      pytest_timeout) pkgs+=("pytest-timeout") ;;
      *) pkgs+=("$m") ;;
    esac
  done
  "$py" -m pip install -q --disable-pip-version-check "${pkgs[@]}"
fi
