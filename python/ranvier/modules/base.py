"""Module and View machinery shared by every module (Jaxley's jaxley/modules/base.py).

A module wraps a C++ module (``ranvier._core.Module``); a view wraps a C++ view (a selection of
compartments). Indexing follows Jaxley: ``cell.branch(1).comp(0)``, ``cell[1, 0]``,
``cell.branch(2).loc(0.5)``, ``"all"``; ``comp(j)`` is local to each branch.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import _checks, _core
from ..channels.channel import to_mechanism
from ._data_arrays import broadcast, data_array
from .edges import EdgesMixin
from .groups import GroupsMixin
from .sharing import SharingMixin
from .tables import TablesMixin
from .geometry import GeometryMixin

_CHILDREN = {"network": ["cell", "branch", "comp"], "cell": ["branch", "comp"], "branch": ["comp"], "comp": []}


def _index(i, n_comp: Optional[int] = None):
    """An index as the C++ layer takes it: an int, "all", or a list of ints (Jaxley's
    ``_reformat_index``: lists, ranges, integer arrays, pandas indices; a slice counts over the
    module's compartments as in Jaxley)."""
    if isinstance(i, str):
        return i
    if isinstance(i, (bool, np.bool_)):
        raise TypeError(f"index {i!r} is not an integer")
    if isinstance(i, (int, np.integer)):
        return int(i)
    if isinstance(i, slice):
        if n_comp is None:
            raise TypeError("a slice index needs a module")
        return list(range(n_comp))[i]
    if isinstance(i, (list, tuple, range, np.ndarray)) or type(i).__name__ == "Index":
        a = np.asarray(list(i) if isinstance(i, range) else i)
        if a.dtype == bool:
            raise TypeError("boolean masks are supported by select(nodes=...) only")
        if a.size and not np.issubdtype(a.dtype, np.integer):
            raise TypeError(f"index {i!r} is not understood; use integers or \"all\"")
        return [int(x) for x in a.reshape(-1)]
    raise TypeError(f"index {i!r} is not understood; use an integer, a list of integers or \"all\"")


def _float_array(x, what: str) -> np.ndarray:
    a = np.asarray(x, dtype=np.float64)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{what}: the array holds NaN or inf")
    return np.ascontiguousarray(a)


def _append_param_state(param_state, indices, key: str, values):
    """Jaxley's data_set result: ``param_state`` (or a new list) with one more entry."""
    entry = [{"indices": np.asarray(indices).reshape(-1, 1), "key": key, "val": values}]
    if param_state is not None:
        param_state += entry
        return param_state
    return entry

class _Selection(GeometryMixin):
    """Operations shared by modules and views (Jaxley's Module/View methods)."""

    # Set by subclasses.
    _base: "Module"
    _level: str

    # -- the selected compartments -----------------------------------------------------------
    def _cview(self):
        raise NotImplementedError

    @property
    def _comps(self) -> np.ndarray:
        return np.asarray(self._cview().comps, dtype=np.int64)

    def diffuse(self, state: str) -> None:
        """Jaxley 0.14's axial diffusion of an ion concentration: refused, since Ranvier has no
        ion concentrations as states yet (see ``ranvier.pumps``)."""
        raise NotImplementedError(f"diffuse({state!r}): axial diffusion of ion concentrations is not supported by Ranvier yet "
                                  "(nor are ion pumps and concentrations as states, jaxley.pumps)")

    # -- indexing ------------------------------------------------------------------------------
    def _child(self, cview, level):
        return View(self._base, cview, level, self)

    def _idx(self, idx):
        return _index(idx, self._base._core.n_comp)

    def cell(self, idx) -> "View":
        """Cell(s) ``idx`` of a network (``branch``/``comp`` below it count within the cells)."""
        if self._base._level != "network":
            raise ValueError(f"cell() selects from a network, not from a {self._base._level}")
        return self._child(self._cview().cell(self._idx(idx)), "cell")

    def branch(self, idx) -> "View":
        """Branch(es) ``idx`` of every cell in view (local scope: counted within each cell's
        branches in view, as Jaxley)."""
        return self._child(self._cview().branch(self._idx(idx)), "branch")

    def comp(self, idx) -> "View":
        """Compartment(s) ``idx`` of every branch in view (local scope) or of the module (global)."""
        return self._child(self._cview().comp(self._idx(idx)), "comp")

    def loc(self, at) -> "View":
        """The compartment at ``at`` (in [0, 1], a list of positions, or "all") of every branch in view."""
        if isinstance(at, str) and at == "all":
            # Jaxley 0.14 evaluates "all" as linspace(0, 1, ncomp) of the first branch in view and
            # uses those positions on every branch (its loop overwrites `at`).
            cview = self._cview()
            first = self._base._core.branch_of_comp[cview.comps[0]]
            at = np.linspace(0, 1, self._base._core.ncomp_per_branch[first]).tolist()
            return self._child(cview.loc(at) if len(at) > 1 else cview.loc(float(at[0])), "loc")
        if isinstance(at, str):
            return self._child(self._cview().loc(at), "loc")
        a = np.asarray(at, dtype=np.float64).reshape(-1)
        view = self._cview().loc(float(a[0])) if a.size == 1 else self._cview().loc([float(x) for x in a])
        child = self._child(view, "loc")
        child._loc_at = a.tolist()  # the positions, for morph_connect (loc 0 or 1 of a branch)
        return child

    def select(self, nodes=None, edges=None, sorted: bool = False) -> "View":
        """Jaxley's ``select``: compartments by global index (``nodes``; a boolean mask counts over
        the rows in view), in the given order; make_trainable then makes one parameter each."""
        if edges is not None:
            raise NotImplementedError("select(edges=...): select synapses through net.<SynapseType>.edge(...)")
        cview = self._cview()
        rows = np.asarray(cview.comps, dtype=np.int64)
        if nodes is None or (isinstance(nodes, str) and nodes == "all"):
            idx = rows
        elif isinstance(nodes, str):
            raise ValueError(f"select(nodes='{nodes}') is not understood; use indices or \"all\"")
        else:
            a = np.asarray(nodes)
            if a.dtype == bool:
                if a.shape != rows.shape:
                    raise ValueError(f"select(nodes=mask): the mask has {a.size} entries for {rows.size} compartments in view")
                idx = rows[a]
            else:
                idx = np.asarray(_index(nodes if a.ndim else int(a), self._base._core.n_comp)).reshape(-1)
        if sorted:
            idx = np.sort(idx)
        return self._child(cview.select([int(x) for x in idx]), "filter")

    def scope(self, scope: str) -> "View":
        """The same selection with ``"local"`` or ``"global"`` indices for what follows."""
        return View(self._base, self._cview().scope(scope), "view", self)

    def __iter__(self):
        """The cells, branches or compartments one level below this one (Jaxley's ``__iter__``:
        ``for branch in cell``, ``for comp in branch``)."""
        children = _CHILDREN.get(self._level)
        if children is None:
            raise NotImplementedError(f"ranvier: iterating over a {self._level} view is not supported yet")
        if not children:
            raise TypeError("a compartment has no parts to iterate over")
        local = {"cell": 3, "branch": 4, "comp": 5}[children[0]]
        count = int(np.max(np.asarray(self._cview().index_columns[local]))) + 1
        for i in range(count):
            yield getattr(self, children[0])(i)

    def __getitem__(self, index) -> "View":
        index = index if isinstance(index, tuple) else (index,)
        children = _CHILDREN.get(self._level, [])
        if len(index) > len(children):
            raise IndexError(f"too many indices: a {self._level} view can be indexed by {', '.join(children) or 'nothing'}")
        view = self
        for i, child in zip(index, children):
            view = getattr(view, child)(i)
        return view

    # -- modifications -------------------------------------------------------------------------
    def set(self, key: str, val) -> None:
        """Set a parameter or initial state of every compartment in view (Jaxley's ``set``); ``val``
        is one value, or one per compartment in view."""
        a = _checks.as_float_array(f"set('{key}')", val)
        if a.ndim == 0 or a.size == 1:
            self._cview().set(key, float(a.reshape(-1)[0]))
            return
        self._cview().set(key, [float(x) for x in a.reshape(-1)])

    def set_ncomp(self, ncomp: int, min_radius: Optional[float] = None, initialize: bool = True) -> None:
        """Re-discretise the one branch in view into ``ncomp`` compartments (Jaxley's ``set_ncomp``;
        SWC branches take their new geometry from the traced points). ``initialize`` is accepted
        for compatibility: Ranvier has nothing to re-initialise."""
        self._cview().set_ncomp(int(ncomp), None if min_radius is None else float(min_radius))

    def insert(self, channel) -> None:
        """Insert a channel (built-in, Python-defined, or a Mechanism) into every compartment in view."""
        self._cview().insert(to_mechanism(channel))

    def record(self, state: str = "v", verbose: bool = True) -> None:
        before = len(self._base._core.recordings)
        self._cview().record(state)
        if verbose:
            print(f"Added {len(self._base._core.recordings) - before} recordings. See `.recordings` for details.")

    def stimulate(self, current=None, verbose: bool = True) -> None:
        """Inject a current (nA): 1-D (one value per time step) for every compartment in view, or
        ``(n_comps_in_view, T)``."""
        self._external("i", current, verbose)

    def clamp(self, state_name: str, state_array, verbose: bool = True) -> None:
        """Clamp ``state_name`` ("v", a gate, ...) to ``state_array`` in every compartment in view."""
        self._external(state_name, state_array, verbose)

    def _external(self, key, values, verbose):
        if values is None:
            raise ValueError("stimulate() needs a current")
        a = _float_array(values, "stimulate" if key == "i" else f"clamp('{key}')")
        if a.ndim == 2 and a.shape[0] == 1:
            a = a[0]
        n = len(self._comps)
        if a.ndim == 1:
            if key == "i":
                self._cview().stimulate(a)
            else:
                self._cview().clamp(key, a)
        elif a.ndim == 2:
            view = self._cview() if isinstance(self, View) else self._base._core.view()
            if key == "i":
                view.stimulate(a)
            else:
                view.clamp(key, a)
        else:
            raise ValueError(
                f"{'stimulate' if key == 'i' else 'clamp'}: expected a 1-D array or ({n}, T), got shape {a.shape}; "
                "batched inputs go through data_stimulate/data_clamp"
            )
        if verbose:
            print(f"Added {n} external_states. See `.externals` for details.")

    def make_trainable(self, key: str, init_val: Optional[float] = None, verbose: bool = True) -> None:
        """One trainable parameter per group of the last indexing call (module: one shared value;
        ``branch(...)``: one per branch; ``comp(...)``/``loc(...)``: one per compartment)."""
        before = sum(len(t[1]) for t in self._base._core.trainables)
        self._cview().make_trainable(key, None if init_val is None else float(init_val))
        total = sum(len(t[1]) for t in self._base._core.trainables)
        if verbose:
            print(
                f"Number of newly added trainable parameters: {total - before}. "
                f"Total number of trainable parameters: {total}"
            )

    # -- data_* (per-call inputs; the batched forms carry a leading batch axis) ---------------
    def data_set(self, key: str, val, param_state: Optional[list]):
        """Set ``key`` for one integrate call: returns ``param_state`` with the entry appended.

        ``val``: a scalar, or one value per compartment in view (shape ``(n,)``); batched:
        shape ``(B, n)`` or ``(B, 1)`` (one row per lane)."""
        core = self._base._core
        if not core.has_column(key):
            raise KeyError(f"Key not recognized: '{key}' is no parameter or state of this module")
        comps = self._comps
        col = core.column(key)
        comps = comps[~np.isnan(col[comps])]
        if len(comps) == 0:
            raise ValueError(f"data_set: '{key}' is not defined at any compartment of this view")
        a = data_array(val, f"data_set('{key}')")
        n = len(comps)
        if a.ndim <= 1:
            if a.ndim == 1 and a.shape[0] not in (1, n):
                raise ValueError(
                    f"data_set('{key}'): {a.shape[0]} values for {n} compartments; give one value, one per compartment, "
                    "or a batch of shape (B, n) / (B, 1)"
                )
            a = broadcast(a, (n,))
        elif a.ndim == 2:
            if a.shape[1] not in (1, n):
                raise ValueError(f"data_set('{key}'): batched values have shape {a.shape}; expected (B, {n}) or (B, 1)")
            a = broadcast(a, (a.shape[0], n))
        else:
            raise ValueError(f"data_set('{key}'): values of shape {a.shape} are not understood")
        return _append_param_state(param_state, comps, key, a)

    def data_stimulate(self, current, data_stimuli=None, verbose: bool = False):
        """A stimulus for one integrate call. ``current``: 1-D or ``(n, T)``; batched ``(B, n, T)`` or
        ``(B, 1, T)``. Returns ``(names, arrays, indices)`` like Jaxley."""
        return self._data_external("i", current, data_stimuli, verbose)

    def data_clamp(self, state_name: str, state_array, data_clamps=None, verbose: bool = False):
        """A clamp for one integrate call (shapes as data_stimulate)."""
        if state_name != "v" and not self._base._core.has_column(state_name):
            raise KeyError(f"{state_name} is not a recognized state in this module.")
        return self._data_external(state_name, state_array, data_clamps, verbose)

    def _data_external(self, name, values, data, verbose):
        a = data_array(values, "data_stimulate" if name == "i" else f"data_clamp('{name}')")
        comps = self._comps
        n = len(comps)
        if a.ndim == 1:
            a = a[None, :]
        if a.ndim == 2:
            if a.shape[0] not in (1, n):
                raise ValueError(f"{n} compartments in view but {a.shape[0]} rows; give 1 or {n} rows")
            a = broadcast(a, (n, a.shape[1]))
        elif a.ndim == 3:
            if a.shape[1] not in (1, n):
                raise ValueError(f"batched input of shape {a.shape}: expected (B, {n}, T) or (B, 1, T)")
            a = broadcast(a, (a.shape[0], n, a.shape[2]))
        else:
            raise ValueError(f"input of shape {a.shape} is not understood")
        if data is not None:
            names, arrays, inds = data
            names.append(name)
            arrays.append(a)
            inds.append(comps.copy())
        else:
            data = ([name], [a], [comps.copy()])
        if verbose:
            print(f"Added {n} {'stimuli' if name == 'i' else 'clamps'}.")
        return data

    # -- inspection ----------------------------------------------------------------------------
    @property
    def nodes(self):
        """The node table of the compartments in view (a pandas DataFrame indexed by global
        compartment index), with Jaxley's index columns and every parameter and state."""
        return self._base._node_table(self._cview())

    def get_parameters(self):
        return self._base.get_parameters()

    def init_states(self, delta_t: float = 0.025) -> None:
        self._base.init_states(delta_t)


class View(GroupsMixin, TablesMixin, EdgesMixin, SharingMixin, _Selection):
    """A selection of compartments (``module.branch(i)``, ``.comp(j)``, ``.loc(x)``)."""

    def __init__(self, base: "Module", cview, level: str, parent=None):
        # parent: the view or module this one was indexed from (its synapses bound this one's).
        self._base, self._view, self._level, self._parent = base, cview, level, parent

    def _cview(self):
        return self._view

    @property
    def base(self) -> "Module":
        return self._base

    def __repr__(self):
        return f"View({self._level}, comps={self._comps.tolist()})"

    def set_scope(self, scope: str) -> None:
        """Jaxley's ``set_scope``: indices of later calls on this view are ``"local"`` or ``"global"``."""
        self._view = self._view.scope(scope)

    def __getattr__(self, name):
        # Groups within the view (`net.cell(0).soma`), as in Jaxley.
        if name.startswith("_"):
            raise AttributeError(name)
        base = self.__dict__.get("_base")
        if base is not None and name in base._core.group_names:
            return View(base, self._view.group(name), "group", self)
        raise AttributeError(f"'View' object has no attribute '{name}'")

    def delete_recordings(self):
        raise NotImplementedError("delete_recordings() on a view: call it on the module (it deletes all recordings)")

    def delete_stimuli(self):
        raise NotImplementedError("delete_stimuli() on a view: call it on the module (it deletes all stimuli)")

    def delete_clamps(self, state_name: Optional[str] = None):
        raise NotImplementedError("delete_clamps() on a view: call it on the module")


class Module(GroupsMixin, TablesMixin, EdgesMixin, SharingMixin, _Selection):
    """Base class of Compartment, Branch and Cell."""

    _core: "_core.Module"

    def __init__(self):
        raise TypeError("use Compartment, Branch or Cell")

    @classmethod
    def _wrap(cls, core, level: str):
        self = object.__new__(cls)
        self._core, self._level, self._base = core, level, self
        return self

    def _cview(self):
        return self._core.view()

    @property
    def base(self) -> "Module":
        return self

    # -- structure -----------------------------------------------------------------------------
    @property
    def n_comp(self) -> int:
        return self._core.n_comp

    @property
    def total_nbranches(self) -> int:
        return self._core.n_branches

    @property
    def comb_parents(self):
        return list(self._core.parents)

    @property
    def ncomp_per_branch(self):
        return np.asarray(self._core.ncomp_per_branch)

    @property
    def ncomp(self) -> int:
        return int(max(self._core.ncomp_per_branch))

    def initialize(self) -> "Module":
        """Jaxley rebuilds its solver tables here after ``set_ncomp(..., initialize=False)``;
        Ranvier builds them when it lowers the module, so this does nothing."""
        return self

    def __getattr__(self, name):
        # Groups (e.g. `cell.soma` of an SWC cell), as in Jaxley.
        if name.startswith("_"):
            raise AttributeError(name)
        core = self.__dict__.get("_core")
        if core is not None and name in core.group_names:
            return View(self, core.view().group(name), "group")
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    @property
    def group_names(self):
        return list(self._core.group_names)

    # -- module-wide operations ----------------------------------------------------------------
    def set_scope(self, scope: str) -> None:
        """Jaxley's ``set_scope``: views made from now on take ``"local"`` or ``"global"`` indices."""
        self._core.set_scope(scope)

    def init_states(self, delta_t: float = 0.025) -> None:
        """Set every channel state to its steady state at the compartment's voltage."""
        self._core.init_states(float(delta_t))

    def delete_recordings(self) -> None:
        self._core.delete_recordings()

    def delete_stimuli(self) -> None:
        self._core.delete_stimuli()

    def delete_clamps(self, state_name: Optional[str] = None) -> None:
        self._core.delete_clamps(state_name)

    def delete_trainables(self) -> None:
        self._core.delete_trainables()

    def get_parameters(self):
        """The trainable parameters, ``[{key: array(n_groups)}, ...]`` (pass to ``integrate(params=...)``)."""
        return [{key: np.asarray(init, dtype=np.float64)} for key, _groups, init in self._core.trainables]

    def _init_solver_jaxley_dhs_solve(self, allowed_nodes_per_level: Optional[int] = None, root: int = 0) -> None:
        """Width of the DHS tree-solve schedule (1: the sequential Hines sweep)."""
        if root != 0:
            raise NotImplementedError("a DHS root other than 0")
        self._core.set_allowed_nodes_per_level(1 if allowed_nodes_per_level is None else int(allowed_nodes_per_level))

    _init_morph_jaxley_dhs_solve = _init_solver_jaxley_dhs_solve

    # -- inspection ----------------------------------------------------------------------------
    @property
    def recordings(self):
        import pandas as pd

        recs = self._core.recordings
        return pd.DataFrame({"rec_index": [r[0] for r in recs], "state": [r[1] for r in recs]})

    @property
    def externals(self):
        """``{"i": (n, T) stimuli, state: (n, T) clamps}`` (arrays of equal length only)."""
        out, inds = {}, {}
        for comp, cur in self._core.stimuli:
            out.setdefault("i", []).append(cur)
            inds.setdefault("i", []).append(comp)
        for state, comp, vals in self._core.clamps:
            out.setdefault(state, []).append(vals)
            inds.setdefault(state, []).append(comp)
        return {k: np.stack(v) if len({len(x) for x in v}) == 1 else v for k, v in out.items()}

    @property
    def external_inds(self):
        inds = {}
        for comp, _ in self._core.stimuli:
            inds.setdefault("i", []).append(comp)
        for state, comp, _ in self._core.clamps:
            inds.setdefault(state, []).append(comp)
        return {k: np.asarray(v) for k, v in inds.items()}

    def _node_table(self, cview):
        import pandas as pd

        core = self._core
        g_cell, g_branch, g_comp, l_cell, l_branch, l_comp, controlled = (np.asarray(x, dtype=np.int64) for x in cview.index_columns)
        comps = g_comp
        cols = {"local_cell_index": l_cell, "local_branch_index": l_branch, "local_comp_index": l_comp}
        names = list(core.column_names)
        mech_first = {}
        mechs = core.mechanisms
        for mi, m in enumerate(mechs):
            keys = [k for k, _ in m.params] + [k for k, _ in m.states]
            pos = min((names.index(k) for k in keys if k in names), default=len(names))
            mech_first.setdefault(pos, []).append(mi)
        tail = {
            "global_cell_index": g_cell,
            "global_branch_index": g_branch,
            "global_comp_index": comps.copy(),
            "controlled_by_param": controlled,
        }
        geometry_done = False
        for i, name in enumerate(names + [None]):
            if not geometry_done and (name is None or i in mech_first):
                cols.update(tail)
                geometry_done = True
            for mi in mech_first.get(i, []):
                at = np.zeros(core.n_comp, dtype=bool)
                at[core.mechanism_comps(mi)] = True
                cols[mechs[mi].name] = at[comps]
            if name is not None:
                cols[name] = core.column(name)[comps]
        return pd.DataFrame(cols, index=pd.Index(comps, name=None))

    # -- copies --------------------------------------------------------------------------------
    def copy(self):
        new = type(self)._wrap(self._core.copy(), self._level)
        for cache in ("_nodes_cache", "_edges_cache"):  # columns written into the tables
            if self.__dict__.get(cache) is not None:
                setattr(new, cache, self.__dict__[cache].copy())
        return new

    def __copy__(self):
        return self.copy()

    def __deepcopy__(self, memo):
        return self.copy()

    def __repr__(self):
        return f"{type(self).__name__}(ncomp={self._core.n_comp}, nbranches={self._core.n_branches})"

    def lowered(self) -> str:
        """The model IR of this module as text."""
        return self._core.lower_text()

from .to_graph import to_graph  # noqa: E402,F401  (Jaxley exports to_graph from modules/base.py)
