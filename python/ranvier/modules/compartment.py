"""A single compartment (Jaxley's jaxley/modules/compartment.py)."""
from __future__ import annotations

from .. import _core
from .base import Module

class Compartment(Module):
    """One compartment: length 10 um, radius 1 um, axial resistivity 5000 ohm cm, capacitance
    1 uF/cm^2, v -70 mV (Jaxley's defaults)."""

    def __init__(self):
        self._core, self._level, self._base = _core.Compartment(), "comp", self
        self._init_coordinates()
