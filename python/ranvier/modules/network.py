"""Networks of cells coupled by synapses, and views of synapses (Jaxley's
jaxley/modules/network.py)."""
from __future__ import annotations

from typing import Optional, Union

import numpy as np

from .. import _checks, _core
from ._data_arrays import broadcast, data_array
from .base import Module, _append_param_state, _index
from .cell import Cell
from .geometry import NetworkGeometryMixin

class Network(NetworkGeometryMixin, Module):
    """Cells side by side (each keeps its own tree; no axial current between cells), coupled
    by synapses added with ``ranvier.connect`` and friends. ``net.cell(i).branch(j).comp(k)``
    is local to the cell; ``net.IonotropicSynapse.edge(i)`` selects synapses of one type."""

    def __init__(self, cells, vectorize_cells: Optional[bool] = None):
        cells = list(cells)
        if not cells or not all(isinstance(c, Cell) for c in cells):
            raise TypeError("Network: expected a non-empty list of Cells")
        self._core, self._level, self._base = _core.Network([c._core for c in cells]), "network", self

    def __getattr__(self, name):
        # Synapse types (`net.IonotropicSynapse`), as in Jaxley.
        if name.startswith("_"):
            raise AttributeError(name)
        core = self.__dict__.get("_core")
        if core is not None and name in [g[0] for g in core.synapse_groups]:
            return SynapseView(self, core.synapses(name), False)
        return super().__getattr__(name)

    def set(self, key: str, val) -> None:
        """Jaxley's ``set``: a node column, or else a parameter / state of every synapse that has
        it (``net.set("IonotropicSynapse_gS", 0.3)``; an array gives one value per synapse)."""
        if self._core.has_column(key):
            return super().set(key, val)
        types = [g[0] for g in self._core.synapse_groups if key in g[3]]
        if not types:
            return super().set(key, val)  # the KeyError naming the columns
        if len(types) > 1 and np.asarray(val).size != 1:
            raise NotImplementedError(f"ranvier: set('{key}') with one value per synapse across several synapse types "
                                      f"({', '.join(types)}) is not supported yet; set each type through net.<type>.set")
        for name in types:
            SynapseView(self, self._core.synapses(name), False).set(key, val)

    @property
    def synapse_names(self):
        return [g[0] for g in self._core.synapse_groups]


class SynapseView:
    """Synapses of one type (``net.IonotropicSynapse``); ``edge(i)`` selects the i-th of them."""

    def __init__(self, base: Network, cview, edge_selected: bool):
        self._base, self._cview, self._edge_selected = base, cview, edge_selected

    def edge(self, idx: Union[int, str]) -> "SynapseView":
        return SynapseView(self._base, self._cview.edge(_index(idx)), True)

    def set(self, key: str, val) -> None:
        a = _checks.as_float_array(f"set('{key}')", val)
        if a.size != 1:
            edges = list(self._cview.edges)
            if a.shape != (len(edges),):
                raise ValueError(f"set('{key}'): {a.shape} values for {len(edges)} synapses")
            for i, x in enumerate(a.tolist()):
                self._cview.edge(i).set(key, x)
            return
        self._cview.set(key, float(a.reshape(-1)[0]))

    def record(self, state: str, verbose: bool = True) -> None:
        before = len(self._base._core.recordings)
        self._cview.record(state)
        if verbose:
            print(f"Added {len(self._base._core.recordings) - before} recordings. See `.recordings` for details.")

    def make_trainable(self, key: str, init_val: Optional[float] = None, verbose: bool = True) -> None:
        """One value shared by all synapses of the type, or one per synapse after ``edge(...)``."""
        before = sum(len(t[1]) for t in self._base._core.trainables)
        self._cview.make_trainable(key, None if init_val is None else float(init_val))
        total = sum(len(t[1]) for t in self._base._core.trainables)
        if verbose:
            print(f"Number of newly added trainable parameters: {total - before}. Total number of trainable parameters: {total}")

    def data_set(self, key: str, val, param_state: Optional[list]):
        """``key`` of the synapses in view for one integrate call (scalar, one per synapse, or
        a batch ``(B, n)`` / ``(B, 1)``); returns ``param_state`` with the entry appended."""
        edges = np.asarray(self._cview.edges, dtype=np.int64)
        a = data_array(val, f"data_set('{key}')")
        n = len(edges)
        if a.ndim <= 1:
            a = broadcast(a, (n,))
        elif a.ndim == 2 and a.shape[1] in (1, n):
            a = broadcast(a, (a.shape[0], n))
        else:
            raise ValueError(f"data_set('{key}'): values of shape {a.shape} for {n} synapses")
        return _append_param_state(param_state, edges, key, a)

    @property
    def edges(self):
        return self._base.edges.query(f"type == '{self._cview.type}'").iloc[list(self._cview.edges)]
