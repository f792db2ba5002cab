#!/usr/bin/env bash
# The main job: build Ranvier, simulate a reconstructed CA1 pyramidal cell (SWC) with HH channels
# and a somatic step current (out/traces.csv, plotted to out/traces.png), then run the Python
# quick start (examples/quickstart.py: the Jaxley-style API, plot in examples/out/quickstart.png).
# Every Python step runs in the project's venv build/venv (made by scripts/build.sh).
# RANVIER_MAIN_JOB_FAST=1 (used by .ci/run) simulates 10 ms instead of 100 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
t_max=100
[ "${RANVIER_MAIN_JOB_FAST:-0}" != "0" ] && t_max=10
mkdir -p out
build/ranvier run --swc examples/data/morph_ca1_n120.swc --ncomp 4 --t-max "$t_max" --out out/traces.csv
build/venv/bin/python scripts/plot_traces.py out/traces.csv out/traces.png
bash scripts/install_python.sh --runtime-only
build/venv/bin/python examples/quickstart.py
