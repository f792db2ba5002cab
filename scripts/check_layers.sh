#!/usr/bin/env bash
# Fails when an #include crosses the layer rules of docs/ARCHITECTURE.md:
#   ir -> ir;  frontend -> ir;  passes -> ir;  codegen -> ir;  runtime -> ir;
#   api -> everything;  python/src and tools -> api, frontend, ir.
# (Each folder may include itself; tests/ and bench/ may include anything.)
set -euo pipefail
cd "$(dirname "$0")/.."
allowed() {
  case "$1" in
    ir) echo "ir" ;;
    frontend) echo "ir frontend" ;;
    passes) echo "ir passes" ;;
    codegen) echo "ir codegen" ;;
    runtime) echo "ir runtime" ;;
    api) echo "ir frontend passes codegen runtime api" ;;
    python/src | tools) echo "ir frontend api tools" ;;
  esac
}
bad=0
for layer in ir frontend passes codegen runtime api python/src tools; do
  ok=" $(allowed "$layer") "
  while IFS= read -r line; do
    file=${line%%:*}
    target=$(sed -E 's/.*#include "([^"/]+)\/.*/\1/' <<<"$line")
    [ "$target" = "$line" ] && continue   # a header beside the file (no folder)
    if [[ "$ok" != *" $target "* ]]; then
      echo "layer rule broken: $file includes $target/ (a $layer file may include: $(allowed "$layer"))"
      bad=1
    fi
  done < <(grep -rn --include='*.h' --include='*.cpp' '#include "' "$layer" || true)
done
[ "$bad" = 0 ] && echo "check_layers: every include follows the layer rules"
exit "$bad"
