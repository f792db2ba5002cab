#!/usr/bin/env bash
# Installs the Python package into build/venv and runs the pytest suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_python.sh
bash scripts/lint_python.sh
# Run from outside the source tree so that `import ranvier` is the installed package.
cd build && venv/bin/python -m pytest ../tests/python -q -p no:cacheprovider
