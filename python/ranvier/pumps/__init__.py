"""``jaxley.pumps``: where a Jaxley user looks for ion pumps and concentration mechanisms.

Ranvier does not simulate ion concentrations yet (they are part of the NMODL and ions work,
issue 17). The names exist so that scripts and test suites importing them load, and a pump is
refused, with the reason, the moment one is made: nothing is silently dropped from a model.
"""
from __future__ import annotations

from typing import Optional

__all__ = ["Pump", "CaPump", "CaFaradayConcentrationChange", "CaNernstReversal"]

_NOT_SUPPORTED = ("{cls}: ion pumps and ion concentrations as states (jaxley.pumps, cell.diffuse) are not supported "
                  "by Ranvier yet; a model that needs them cannot be simulated (planned with the NMODL/ions work)")


class Pump:
    """Jaxley 0.14's ``Pump`` base class; making one (or a subclass) raises ``NotImplementedError``."""

    def __init__(self, name: Optional[str] = None):
        raise NotImplementedError(_NOT_SUPPORTED.format(cls=type(self).__name__))


class CaPump(Pump):
    """Jaxley 0.14's calcium pump (shell depth, decay, minimum concentration): not supported."""


class CaFaradayConcentrationChange(Pump):
    """Jaxley 0.14's calcium concentration change from the calcium current: not supported."""


class CaNernstReversal:
    """Jaxley 0.14's Nernst reversal potential of calcium from the concentrations: not supported."""

    def __init__(self, name: Optional[str] = None):
        raise NotImplementedError(_NOT_SUPPORTED.format(cls=type(self).__name__))
