"""Synapses through views of compartments, as Jaxley 0.14: ``select(edges=...)`` (global edge
indices, e.g. ``net.select(edges=net.edges.query(...).index)``) and ``set``/``data_set`` of
synapse parameters on any view (they act on the synapses in view, ``view.edges``)."""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import _checks
from .tables import edge_endpoints


def synapse_type_of(core, key: str) -> Optional[int]:
    """Index of the synapse type with parameter or state ``key`` (None if no type has it)."""
    for g, (_name, _pre, _post, names, _vals) in enumerate(getattr(core, "synapse_groups", [])):
        if key in names:
            return g
    return None


def _edge_index(edges, n_edges: int) -> np.ndarray:
    a = np.asarray(list(edges) if isinstance(edges, range) else edges)
    if a.dtype == bool:
        if a.shape != (n_edges,):
            raise ValueError(f"select(edges=mask): the mask has {a.size} entries for {n_edges} synapses")
        return np.flatnonzero(a)
    if a.size and not np.issubdtype(a.dtype, np.integer):
        raise TypeError(f"select(edges={edges!r}): use global edge indices (integers) or \"all\"")
    a = a.astype(np.int64).reshape(-1)
    bad = a[(a < 0) | (a >= n_edges)]
    if bad.size:
        raise ValueError(f"select(edges=...): synapse {int(bad[0])} does not exist (the network has {n_edges})")
    return a


class EdgesMixin:
    def select(self, nodes=None, edges=None, sorted: bool = False):
        """Jaxley's ``select``: compartments by global index (``nodes``), synapses by global edge
        index (``edges``; without ``nodes`` the view holds their pre- and postsynaptic
        compartments). make_trainable then makes one parameter per node / edge."""
        if edges is None:
            return super().select(nodes=nodes, sorted=sorted)
        core = self._base._core
        n_edges = len(core.edge_order)
        sel = self._edges_in_view if isinstance(edges, str) and edges == "all" else (
            None if isinstance(edges, str) else _edge_index(edges, n_edges))
        if sel is None:
            raise ValueError(f"select(edges='{edges}') is not understood; use indices or \"all\"")
        missing = np.setdiff1d(sel, self._edges_in_view)
        if missing.size:
            raise KeyError(f"select(edges=...): synapse {int(missing[0])} is not in this view (see view.edges)")
        if sorted:
            sel = np.sort(sel)
        if nodes is None:
            _, _, pre, post = edge_endpoints(core)
            comps = np.intersect1d(np.unique(np.concatenate([pre[sel], post[sel]])), self._comps)
            if comps.size == 0:
                raise ValueError("select(edges=...): nothing in view (no pre- or postsynaptic compartment of the selected synapses is in view)")
            view = super().select(nodes=comps)
        else:
            view = super().select(nodes=nodes, sorted=sorted)
        view._edge_sel = np.asarray(sel, dtype=np.int64)
        return view

    def _edges_of_type(self, key: str):
        """(type index, indices within the type) of the synapses in view that have ``key``."""
        core = self._base._core
        g = synapse_type_of(core, key)
        if g is None:
            raise KeyError(f"Key '{key}' not found in nodes or edges")
        type_ind, within, _, _ = edge_endpoints(core)
        sel = self._edges_in_view
        return g, within[sel][type_ind[sel] == g]

    def set(self, key: str, val) -> None:
        """Set a parameter or initial state of every compartment in view, or of every synapse in
        view (``view.edges``) for a synapse key (Jaxley's ``set``)."""
        if self._base._core.has_column(key):
            return super().set(key, val)
        g, within = self._edges_of_type(key)
        if within.size == 0:
            return  # Jaxley writes nothing when no synapse of the type is in view
        a = _checks.as_float_array(f"set('{key}')", val)
        syn = self._base._core.synapses(self._base._core.synapse_groups[g][0])
        if a.size == 1:
            syn.edge([int(i) for i in within]).set(key, float(a.reshape(-1)[0]))
            return
        if a.shape != (within.size,):
            raise ValueError(f"set('{key}'): {a.size} values for {within.size} synapses in view")
        for i, x in zip(within.tolist(), a.tolist()):
            syn.edge(int(i)).set(key, float(x))

    def data_set(self, key: str, val, param_state: Optional[list]):
        """``data_set`` of a compartment key, or of a synapse key for the synapses in view."""
        if self._base._core.has_column(key):
            return super().data_set(key, val, param_state)
        from .base import _append_param_state, _float_array

        _, within = self._edges_of_type(key)
        n = within.size
        if n == 0:
            raise ValueError(f"data_set: no synapse with '{key}' is in this view")
        a = _float_array(val, f"data_set('{key}')")
        if a.ndim <= 1 and a.size in (1, n):
            a = np.broadcast_to(a.reshape(-1), (n,)).copy()
        elif a.ndim == 2 and a.shape[1] in (1, n):
            a = np.ascontiguousarray(np.broadcast_to(a, (a.shape[0], n)))
        else:
            raise ValueError(f"data_set('{key}'): values of shape {a.shape} for {n} synapses; expected (n,), (B, n) or (B, 1)")
        return _append_param_state(param_state, within, key, a)
