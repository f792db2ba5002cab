"""Jaxley's tutorial notebooks as scripts, with the package import substituted.

A notebook's code cells are concatenated in order; IPython magics and shell lines (``%...``,
``!...``) become ``pass`` so line numbers still point into the notebook's code. With
``package="ranvier"`` every ``jaxley`` module name becomes ``ranvier`` (``import jaxley as jx``,
``from jaxley.channels import HH``, ``jaxley.integrate``) and nothing else changes: the
tutorial runs as a Jaxley user would run it after ``import ranvier as jx``.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

_JAXLEY_NAME = re.compile(r"\bjaxley\b(?!_)")  # `jaxley` and `jaxley.x`, not `jaxley_mech`


def substitute_package(source: str, package: str) -> str:
    """``source`` with the module name ``jaxley`` replaced by ``package`` (identity for "jaxley")."""
    return source if package == "jaxley" else _JAXLEY_NAME.sub(package, source)


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
