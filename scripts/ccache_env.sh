# Sourced by the build scripts: compile through ccache when it is installed (scripts/setup.sh
# installs it), so that a second build of the same sources (pip's build of the extension, a
# clean clone, another work tree under the same parent folder) reuses the objects.
if command -v ccache >/dev/null 2>&1; then
  export CMAKE_C_COMPILER_LAUNCHER=ccache CMAKE_CXX_COMPILER_LAUNCHER=ccache
  # Paths below the folder that holds the checkout are hashed relative to it.
  CCACHE_BASEDIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  export CCACHE_BASEDIR
fi
