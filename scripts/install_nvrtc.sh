#!/usr/bin/env bash
# Installs NVRTC (the CUDA runtime compiler, no GPU needed) for the CUDA backend and its tests:
# the pip wheel nvidia-cuda-nvrtc-cu12 into the virtual environment build/cuda-venv, where
# Ranvier looks for it first (codegen/cuda/nvrtc.h). Idempotent. Needs python3-venv and PyPI.
# Elsewhere: point RANVIER_NVRTC at libnvrtc.so.12 (or its folder), or set RANVIER_SKIP_NVRTC=1
# to skip the NVRTC tests.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=build/cuda-venv
if compgen -G "$venv/lib/python3*/site-packages/nvidia/cuda_nvrtc/lib/libnvrtc.so.12" >/dev/null; then
  echo "install_nvrtc: NVRTC is already in $venv"
  exit 0
fi
mkdir -p build
[ -x "$venv/bin/pip" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "nvidia-cuda-nvrtc-cu12>=12.4,<13"
echo "install_nvrtc: installed $(ls "$venv"/lib/python3*/site-packages/nvidia/cuda_nvrtc/lib/libnvrtc.so.12)"
