#!/usr/bin/env bash
# The main job: build Ranvier, simulate a reconstructed CA1 pyramidal cell (SWC) with HH channels
# and a somatic step current, write out/traces.csv and plot out/traces.png.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
mkdir -p out
build/ranvier run --swc examples/data/morph_ca1_n120.swc --ncomp 4 --t-max 100 --out out/traces.csv
python3 scripts/plot_traces.py out/traces.csv out/traces.png
