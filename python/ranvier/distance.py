"""Distances between compartments (Jaxley 0.14's jaxley/morphology/distance_utils.py),
importable as ``ranvier.morphology.distance_direct`` / ``distance_pathwise``."""
from __future__ import annotations

from typing import List

import numpy as np


def _single_root(startpoint, what: str) -> int:
    comps = startpoint._comps
    if len(comps) != 1:
        raise ValueError(f"{what}: the startpoint must be one compartment, the view holds {len(comps)}")
    return int(comps[0])


def distance_direct(startpoint, endpoints) -> np.ndarray:
    """Straight-line distance (um) from the centre of the one compartment ``startpoint`` to the
    centre of every compartment of ``endpoints`` (the x, y, z columns of ``nodes``; run
    ``compute_compartment_centers()`` after changing lengths or moving)."""
    _single_root(startpoint, "distance_direct")
    start = startpoint.nodes[["x", "y", "z"]].to_numpy(dtype=np.float64)[0]
    ends = endpoints.nodes[["x", "y", "z"]].to_numpy(dtype=np.float64)
    return np.sqrt(np.sum((start - ends) ** 2, axis=1))


def distance_pathwise(startpoint, endpoints) -> List[float]:
    """Path length (um) along the cable from the centre of the one compartment ``startpoint``
    to the centre of every compartment of ``endpoints``: half the lengths of both end
    compartments plus the lengths of those in between."""
    root = _single_root(startpoint, "distance_pathwise")
    if endpoints._base is not startpoint._base:
        raise ValueError("distance_pathwise: startpoint and endpoints must belong to the same module")
    dist = np.asarray(startpoint._base._core.path_distance(root))
    ends = endpoints._comps
    unreachable = ends[dist[ends] < 0]
    if len(unreachable):
        raise ValueError(f"distance_pathwise: no path from compartment {root} to compartment {int(unreachable[0])} "
                         "(they are in different cells)")
    return [float(d) for d in dist[ends]]


__all__ = ["distance_direct", "distance_pathwise"]
