"""Jaxley's connection helpers (``jaxley.connect``). Cell-level helpers attach to branch 0,
comp 0 of the presynaptic cell and to the first compartment in view of the postsynaptic
cell, or with ``random_post_comp=True`` to one of the postsynaptic cell's compartments in
view drawn uniformly. ``sparse_connect`` and ``random_post_comp`` cannot reproduce Jaxley's
draws from numpy's global RNG: they use a seeded C++ generator (``seed``; by default one
drawn from ``numpy.random``, so ``np.random.seed`` makes them repeatable, with other
connections than Jaxley's)."""
from typing import Optional

import numpy as np

from . import _core
from .synapses import Synapse


def _check(pre, post, synapse_type):
    if not isinstance(synapse_type, Synapse):
        raise TypeError(f"expected a synapse type such as IonotropicSynapse(), got {type(synapse_type).__name__}")
    if pre._base is not post._base:
        raise ValueError("Pre and post compartments must be part of the same network.")


def connect(pre, post, synapse_type) -> None:
    """One synapse per pair of compartments of the two views (first with first, ...)."""
    _check(pre, post, synapse_type)
    _core.connect(pre._cview(), post._cview(), synapse_type._core)


def _seed(seed):
    return int(np.random.randint(0, 2**31 - 1)) if seed is None else int(seed)


def fully_connect(pre_cell_view, post_cell_view, synapse_type, random_post_comp: bool = False,
                  seed: Optional[int] = None) -> None:
    _check(pre_cell_view, post_cell_view, synapse_type)
    _core.fully_connect(pre_cell_view._cview(), post_cell_view._cview(), synapse_type._core, bool(random_post_comp),
                        _seed(seed) if random_post_comp else 0)


def sparse_connect(pre_cell_view, post_cell_view, synapse_type, p: float, random_post_comp: bool = False,
                   seed: Optional[int] = None) -> None:
    _check(pre_cell_view, post_cell_view, synapse_type)
    _core.sparse_connect(pre_cell_view._cview(), post_cell_view._cview(), synapse_type._core, float(p), _seed(seed),
                         bool(random_post_comp))


def connectivity_matrix_connect(pre_cell_view, post_cell_view, synapse_type, connectivity_matrix,
                                random_post_comp: bool = False, seed: Optional[int] = None) -> None:
    _check(pre_cell_view, post_cell_view, synapse_type)
    m = np.asarray(connectivity_matrix)
    if m.ndim != 2:
        raise ValueError(f"connectivity_matrix must be 2-D, got shape {m.shape}")
    _core.connectivity_matrix_connect(pre_cell_view._cview(), post_cell_view._cview(), synapse_type._core,
                                      [[bool(x) for x in row] for row in m.tolist()], bool(random_post_comp),
                                      _seed(seed) if random_post_comp else 0)


__all__ = ["connect", "fully_connect", "sparse_connect", "connectivity_matrix_connect"]
