"""An unbranched chain of compartments (Jaxley's jaxley/modules/branch.py)."""
from __future__ import annotations

from typing import Optional

from .. import _core
from .base import Module
from .compartment import Compartment

class Branch(Module):
    """An unbranched chain: ``Branch(comp, ncomp=4)`` or ``Branch([comp0, comp1, ...])``;
    comp 0 is the proximal (loc 0) end."""

    def __init__(self, compartments=None, ncomp: Optional[int] = None):
        if compartments is None:
            compartments = Compartment()
        if isinstance(compartments, Compartment):
            core = _core.Branch(compartments._core, 1 if ncomp is None else int(ncomp))
        elif isinstance(compartments, (list, tuple)):
            if not all(isinstance(c, Compartment) for c in compartments):
                raise TypeError("Branch: expected a Compartment or a list of Compartments")
            if ncomp is not None and ncomp != len(compartments):
                raise ValueError(f"Branch: ncomp={ncomp} but {len(compartments)} compartments were given")
            core = _core.Branch([c._core for c in compartments])
        else:
            raise TypeError(f"Branch: expected a Compartment or a list of Compartments, got {type(compartments).__name__}")
        self._core, self._level, self._base = core, "branch", self
        self._init_coordinates()
