"""Jaxley's tutorial notebooks as scripts, with the package import substituted.

A notebook's code cells are concatenated in order; IPython magics and shell lines (``%...``,
``!...``) become ``pass`` so line numbers still point into the notebook's code. With
``package="ranvier"`` every ``jaxley`` module name in the code becomes ``ranvier`` (``import jaxley
as jx``, ``from jaxley.channels import HH``, ``jaxley.integrate``) and nothing else changes, string
literals included (``voltage_solver="jaxley.dhs"`` is an option value, not a module): the
tutorial runs as a Jaxley user would run it after ``import ranvier as jx``.
"""
from __future__ import annotations

import io
import json
import re
import tokenize
from pathlib import Path

_JAXLEY_NAME = re.compile(r"\bjaxley\b(?!_)")  # `jaxley` and `jaxley.x`, not `jaxley_mech`


def substitute_package(source: str, package: str) -> str:
    """``source`` with the module name ``jaxley`` replaced by ``package`` (identity for "jaxley"):
    only names in the code (tokens), never text inside strings or comments."""
    if package == "jaxley":
        return source
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return _JAXLEY_NAME.sub(package, source)  # not tokenizable: the plain textual substitution
    lines = source.splitlines(keepends=True)
    # Right to left within a line, so earlier columns stay valid.
    for tok in sorted((t for t in tokens if t.type == tokenize.NAME and t.string == "jaxley"), key=lambda t: t.start, reverse=True):
        row, col = tok.start
        line = lines[row - 1]
        lines[row - 1] = line[:col] + package + line[col + len("jaxley"):]
    return "".join(lines)


def notebook_to_script(notebook: Path) -> str:
    """The notebook's code cells as one Python script (magics and shell lines disabled)."""
    cells = json.loads(Path(notebook).read_text())["cells"]
    lines = []
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        for line in "".join(cell.get("source", [])).split("\n"):
            stripped = line.lstrip()
            if stripped.startswith(("%", "!")):
                line = line[: len(line) - len(stripped)] + "pass  # notebook magic: " + stripped
            lines.append(line)
        lines.append("")
    return "\n".join(lines)


def convert(notebook: Path, package: str) -> str:
    return substitute_package(notebook_to_script(notebook), package)
