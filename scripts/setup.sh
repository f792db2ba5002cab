#!/usr/bin/env bash
# Installs everything Ranvier needs to build and test, from Debian 12 packages. Idempotent.
set -euo pipefail
packages=(
  build-essential cmake ninja-build git ccache
  llvm-19-dev libffi-dev libedit-dev zlib1g-dev libzstd-dev libxml2-dev libcurl4-openssl-dev
  libeigen3-dev libfmt-dev nlohmann-json3-dev libgtest-dev libbenchmark-dev
  python3 python3-dev python3-venv python3-pip
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
echo "setup: all build and test dependencies are installed"
