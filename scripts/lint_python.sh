#!/usr/bin/env bash
# The Python linter (ruff, configured in pyproject.toml) over every Python file of the project.
set -euo pipefail
cd "$(dirname "$0")/.."
build/venv/bin/python -m ruff check python tests bench scripts examples compat
