#!/usr/bin/env bash
# The main job: build Ranvier, simulate a reconstructed CA1 pyramidal cell (SWC) with HH channels
# and a somatic step current (out/traces.csv, plotted to out/traces.png), then run the Python
# quick start (examples/quickstart.py: the Jaxley-style API, plot in examples/out/quickstart.png).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
mkdir -p out
build/ranvier run --swc examples/data/morph_ca1_n120.swc --ncomp 4 --t-max 100 --out out/traces.csv
python3 scripts/plot_traces.py out/traces.csv out/traces.png
bash scripts/install_python.sh
build/venv/bin/python examples/quickstart.py
