#!/usr/bin/env bash
# The Jaxley drop-in check (opt-in, not CI: it runs Jaxley too and takes a while): Jaxley 0.14's
# tutorials and its test suite, each with real Jaxley and with `import ranvier as jx`, reported in
# build/tutorials/REPORT.md and build/jaxley-suite/REPORT.md.
# Usage: scripts/jaxley_compat.sh [GIT_URL_OR_PATH of jaxley]   (after scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/make_venv.sh --compat
bash scripts/fetch_jaxley_src.sh "$@"
build/venv/bin/python compat/run_tutorials.py --require 12 || status=$?
build/venv/bin/python compat/run_jaxley_suite.py
exit "${status:-0}"
