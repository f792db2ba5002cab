#!/usr/bin/env bash
# Puts Jaxley's source (its tutorials and test suite, the compatibility checks' inputs) in
# build/jaxley-src at the commit the spec was read at. Usage: scripts/fetch_jaxley_src.sh [GIT_URL_OR_PATH]
# (default https://github.com/jaxleyverse/jaxley; pass a local mirror where GitHub is not reachable).
# Nothing of Jaxley is kept in this repository.
set -euo pipefail
cd "$(dirname "$0")/.."
src=${1:-https://github.com/jaxleyverse/jaxley}
commit=2638cca2
if [ ! -d build/jaxley-src/.git ]; then
  mkdir -p build
  git clone -q "$src" build/jaxley-src
fi
git -C build/jaxley-src checkout -q "$commit"
echo "build/jaxley-src at $(git -C build/jaxley-src log --oneline -1)"
