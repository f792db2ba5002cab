#!/usr/bin/env bash
# Installs the Python package `ranvier` into the virtual environment build/venv (with pytest,
# matplotlib and real Jaxley for the compatibility tests) WITHOUT compiling the C++ core a second
# time: scripts/build.sh already built the extension build/python/ranvier/_core*.so, and a .pth
# file puts python/ (the pure-Python package) and build/python (the extension) on the venv's path;
# ranvier/__init__.py joins the two halves (pkgutil.extend_path). Edits to python/ranvier/*.py
# are live; C++ edits need scripts/build.sh. (`pip install .` still builds a self-contained
# package for users, in build-pip/.)
set -euo pipefail
cd "$(dirname "$0")/.."
# --runtime-only (the main job): no pytest and Jaxley, which only the tests need.
if [ "${1:-}" = "--runtime-only" ]; then bash scripts/make_venv.sh; else bash scripts/make_venv.sh --test; fi
bash scripts/build.sh
py=build/venv/bin/python
# A copy installed earlier by `pip install .` would shadow the .pth paths.
if "$py" -m pip show -q ranvier >/dev/null 2>&1; then
  "$py" -m pip uninstall -q -y ranvier
fi
site="$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
printf '%s\n%s\n' "$PWD/python" "$PWD/build/python" > "$site/ranvier_build_tree.pth"
# Fail here, not in the first script that imports it.
(cd build && venv/bin/python -c "import ranvier, ranvier._core; print('install_python: ranvier from', ranvier.__path__)")
