"""NEURON's d_lambda rule for choosing compartments per branch (frontend/d_lambda.h)."""
from . import _core

__all__ = ["d_lambda_ncomp", "apply_d_lambda"]


def d_lambda_ncomp(module, frequency: float = 100.0, d_lambda: float = 0.1):
    """One odd compartment count per branch: ``int((L / (d_lambda * lambda_f) + 0.9) / 2) * 2 + 1``
    with the AC length constant ``lambda_f`` at ``frequency`` (Hz) of each branch's cylinders.
    Read SWC files with ``ncomp=1`` first, as Jaxley's d_lambda recipe does."""
    return list(_core.d_lambda_ncomp(module._base._core, float(frequency), float(d_lambda)))


def apply_d_lambda(module, frequency: float = 100.0, d_lambda: float = 0.1):
    """``set_ncomp`` on every branch with :func:`d_lambda_ncomp`'s counts; returns the counts."""
    return list(_core.apply_d_lambda(module._base._core, float(frequency), float(d_lambda)))

# Jaxley's jaxley.morphology distance functions (ranvier/distance.py).
from .distance import distance_direct, distance_pathwise  # noqa: E402

__all__ += ["distance_direct", "distance_pathwise"]

from .morph_edit import morph_connect, morph_delete  # noqa: E402

__all__ += ["morph_delete", "morph_connect"]
