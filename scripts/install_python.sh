#!/usr/bin/env bash
# Installs the Python package `ranvier` (and pytest, matplotlib and real Jaxley for the
# compatibility tests) into the virtual environment build/venv.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ccache_env.sh
[ -x build/venv/bin/python ] || python3 -m venv build/venv
py=build/venv/bin/python
$py -m pip install -q --upgrade pip
$py -m pip install -q pytest numpy pandas matplotlib jaxley
$py -m pip install -q .
