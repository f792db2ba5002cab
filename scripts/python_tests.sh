#!/usr/bin/env bash
# Builds the Python package `ranvier` into a virtual environment (build/venv), with real
# Jaxley for the compatibility suite, and runs the pytest suite.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/venv/bin/python ] || python3 -m venv build/venv
py=build/venv/bin/python
$py -m pip install -q --upgrade pip
$py -m pip install -q pytest numpy pandas matplotlib jaxley
$py -m pip install -q .
# Run from outside the source tree so that `import ranvier` is the installed package.
cd build && ../$py -m pytest ../tests/python -q -p no:cacheprovider
