"""A tree of branches, and cells read from SWC files (Jaxley's jaxley/modules/cell.py and
jaxley/io/swc.py)."""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import _checks, _core
from .base import Module
from .branch import Branch

class Cell(Module):
    """A tree of branches: ``Cell(branch, parents=[-1, 0, 0])`` repeats one branch;
    ``Cell([b0, b1, b2], parents)`` takes one per entry of ``parents`` (``parents[0] == -1``)."""

    def __init__(self, branches=None, parents=None, xyzr=None):
        if branches is None:
            branches = Branch()
        if parents is None:
            parents = [-1] if isinstance(branches, Branch) else [-1] + [0] * (len(branches) - 1)
        parents = _checks.as_parents(parents)
        if isinstance(branches, Branch):
            core = _core.Cell(branches._core, parents)
        elif isinstance(branches, (list, tuple)):
            if not all(isinstance(b, Branch) for b in branches):
                raise TypeError("Cell: expected a Branch or a list of Branches")
            core = _core.Cell([b._core for b in branches], parents)
        else:
            raise TypeError(f"Cell: expected a Branch or a list of Branches, got {type(branches).__name__}")
        self._core, self._level, self._base = core, "cell", self
        if xyzr is None:  # Jaxley lays the branches out anew (the branches' own coordinates are dropped)
            self.xyzr = [np.full((2, 4), np.nan)] * len(parents)
            self._init_coordinates()
        else:  # plotting coordinates, and with every radius known set_ncomp's traced geometry
            self.xyzr = xyzr




def read_swc(
    fname: str,
    ncomp: Optional[int] = None,
    max_branch_len: Optional[float] = None,
    min_radius: Optional[float] = None,
    assign_groups: bool = True,
    backend: str = "graph",
    ignore_swc_tracing_interruptions: bool = True,
    relevant_type_ids=None,
) -> Cell:
    """A Cell from an SWC file, with Jaxley 0.14's semantics (``backend="graph"``)."""
    if backend != "graph":
        raise NotImplementedError(f"read_swc(backend='{backend}'): only the 'graph' backend")
    core = _core.read_swc(
        str(fname), 1 if ncomp is None else int(ncomp), max_branch_len, min_radius, assign_groups,
        ignore_swc_tracing_interruptions, None if relevant_type_ids is None else [int(i) for i in relevant_type_ids],
    )
    return Cell._wrap(core, "cell")
