#!/usr/bin/env bash
# The main job: build Ranvier, simulate the example cell, write out/traces.csv and plot out/traces.png.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
mkdir -p out
build/ranvier run --t-max 100 --out out/traces.csv
python3 scripts/plot_traces.py out/traces.csv out/traces.png
