"""The ``nodes`` and ``edges`` tables of modules and views, as Jaxley 0.14 shows them.

Ranvier's model lives in C++; the tables are pandas DataFrames built from it on every access.
Jaxley users also *write* these tables: they add columns (``net.nodes["cell_type"] = ...``,
``copy_node_property_to_edges``) and overwrite ``controlled_by_param`` to choose parameter
sharing. So each module and each view keeps the last table it handed out, and the next
access carries over what the model does not know: columns the model has no column for, and
``controlled_by_param``. Values of model columns are always fresh (write them with ``set``).

Node rows are labelled by global compartment index (Ranvier's node index; Jaxley 0.14 leaves
gaps for branchpoints in networks), and ``pre_index``/``post_index`` of edges use the same labels.
"""
from __future__ import annotations

import numpy as np

_EMPTY_EDGE_COLUMNS = ["global_edge_index", "index_within_type", "pre_index", "post_index",
                       "pre_locs", "post_locs", "type", "type_ind"]


def edge_endpoints(core):
    """Per global edge (Jaxley's order of creation): type index, index within type, pre and
    post compartment (global indices), as int64 arrays."""
    order = np.asarray(core.edge_order if hasattr(core, "synapse_groups") else [], dtype=np.int64).reshape(-1, 2)
    type_ind, within = order[:, 0].copy(), order[:, 1].copy()
    pre = np.zeros(len(order), dtype=np.int64)
    post = np.zeros(len(order), dtype=np.int64)
    if len(order):
        for g, (_name, g_pre, g_post, _cols, _vals) in enumerate(core.synapse_groups):
            at = type_ind == g
            pre[at] = np.asarray(g_pre, dtype=np.int64)[within[at]]
            post[at] = np.asarray(g_post, dtype=np.int64)[within[at]]
    return type_ind, within, pre, post


def _comp_locs(core) -> np.ndarray:
    """Relative position (0..1) of every compartment's centre on its branch (Jaxley's loc_of_index)."""
    branch = np.asarray(core.branch_of_comp, dtype=np.int64)
    ncomp = np.asarray(core.ncomp_per_branch, dtype=np.float64)
    first = np.asarray([core.first_comp(b) for b in range(core.n_branches)], dtype=np.int64)
    comps = np.arange(core.n_comp)
    return (0.5 + comps - first[branch]) / ncomp[branch]


def module_edge_table(core):
    """The module's edges as Jaxley builds ``net.edges`` (fresh from the model): index columns,
    then every type's parameters and states (NaN on other types' rows); ``controlled_by_param``
    sits after the first type's columns as in Jaxley, 0 everywhere."""
    import pandas as pd

    type_ind, within, pre, post = edge_endpoints(core)
    if len(type_ind) == 0:
        return pd.DataFrame({c: pd.Series(dtype=np.int64 if "index" in c or c == "type_ind" else object)
                             for c in _EMPTY_EDGE_COLUMNS})
    groups = core.synapse_groups
    locs = _comp_locs(core)
    cols = {
        "global_edge_index": np.arange(len(type_ind), dtype=np.int64),
        "index_within_type": within,
        "pre_index": pre,
        "post_index": post,
        "type": [groups[g][0] for g in type_ind],
        "type_ind": type_ind,
        "pre_locs": locs[pre],
        "post_locs": locs[post],
    }
    for g, (_name, _pre, _post, names, values) in enumerate(groups):
        at = type_ind == g
        for name, vals in zip(names, values):
            col = np.full(len(type_ind), np.nan)
            col[at] = np.asarray(vals, dtype=np.float64)[within[at]]
            cols[name] = col
        if g == 0:
            cols["controlled_by_param"] = np.zeros(len(type_ind), dtype=np.int64)
    return pd.DataFrame(cols)


def carry_over(previous, fresh, pad: bool = False):
    """``fresh`` with the columns of ``previous`` the model does not provide, and its
    ``controlled_by_param``, where the rows still match. ``pad``: rows appended since (new
    synapses) get NaN in the carried columns; ``controlled_by_param`` then restarts at 0 as
    Jaxley's connect resets it."""
    if previous is None or previous is fresh:
        return fresh
    same_rows = len(previous) == len(fresh) and previous.index.equals(fresh.index)
    grown = pad and len(previous) < len(fresh) and previous.index.equals(fresh.index[: len(previous)])
    if not (same_rows or grown):
        return fresh
    if same_rows and "controlled_by_param" in previous.columns:
        fresh["controlled_by_param"] = previous["controlled_by_param"].to_numpy()
    for name in previous.columns:
        if name not in fresh.columns:
            fresh[name] = previous[name] if same_rows else previous[name].reindex(fresh.index)
    return fresh


def add_group_columns(core, table) -> None:
    """One boolean column per group (Jaxley's ``nodes[group_name]``), after ``controlled_by_param``."""
    names = list(core.group_names)
    if not names:
        return
    at = table.columns.get_loc("controlled_by_param") + 1 if "controlled_by_param" in table.columns else len(table.columns)
    rows = table.index.to_numpy()
    for k, name in enumerate(names):
        member = np.zeros(core.n_comp, dtype=bool)
        member[np.asarray(core.group_comps(name), dtype=np.int64)] = True
        if name in table.columns:
            table[name] = member[rows]
        else:
            table.insert(at + k, name, member[rows])


def move_to_end(table, name: str):
    if name in table.columns:
        table = table[[c for c in table.columns if c != name] + [name]]
    return table


class TablesMixin:
    """``nodes``, ``edges`` and ``copy_node_property_to_edges`` of modules and views."""

    @property
    def nodes(self):
        """The compartments in view (a DataFrame indexed by global compartment index): Jaxley's
        index columns, geometry, every parameter and state, one boolean column per group, and
        the columns written into it (see the module docstring)."""
        base = self._base
        fresh = base._node_table(self._cview())
        add_group_columns(base._core, fresh)
        base_cache = base.__dict__.get("_nodes_cache")
        if self is not base and base_cache is not None and len(base_cache) == base._core.n_comp:
            for name in base_cache.columns:
                if name not in fresh.columns:
                    fresh[name] = base_cache[name].reindex(fresh.index)
        fresh = carry_over(self.__dict__.get("_nodes_cache"), fresh)
        self._nodes_cache = fresh
        return fresh

    @property
    def _edges_in_view(self) -> np.ndarray:
        """Global indices of the synapses in view: all of a module's; for a view of
        compartments, those of its parent whose pre- and postsynaptic compartments are both in
        view (Jaxley's rule); for ``select(edges=...)``, the selected ones in the given order."""
        core = self._base._core
        if self is self._base:
            return np.arange(len(core.edge_order), dtype=np.int64)
        sel = self.__dict__.get("_edge_sel")
        if sel is None:
            parent = self.__dict__.get("_parent")
            parent = self._base if parent is None else parent
            _, _, pre, post = edge_endpoints(core)
            comps = self._comps
            inside = np.flatnonzero(np.isin(pre, comps) & np.isin(post, comps))
            sel = np.intersect1d(inside, parent._edges_in_view)
            self._edge_sel = sel
        return sel

    def _edge_control_default(self, n: int) -> np.ndarray:
        # Jaxley's _set_controlled_by_param for edges: one parameter per synapse after
        # select(...), one shared parameter otherwise; scope() views keep their parent's.
        view = self
        while view is not view._base and view._level == "view" and view.__dict__.get("_parent") is not None:
            view = view._parent
        return np.arange(n, dtype=np.int64) if view._level == "filter" else np.zeros(n, dtype=np.int64)

    @property
    def edges(self):
        """The synapses in view (a DataFrame indexed by global edge index, in Jaxley's order of
        creation): global_edge_index, index_within_type, pre_index, post_index (global
        compartment indices), type, type_ind, pre_locs, post_locs, every type's parameters and
        states, controlled_by_param, and the columns written into it."""
        base = self._base
        if self is base:
            fresh = carry_over(self.__dict__.get("_edges_cache"), module_edge_table(base._core), pad=True)
        else:
            all_edges = base.edges
            fresh = all_edges.loc[self._edges_in_view].copy() if len(all_edges) else all_edges.copy()
            if len(all_edges):
                fresh["controlled_by_param"] = self._edge_control_default(len(fresh))
            fresh = move_to_end(carry_over(self.__dict__.get("_edges_cache"), fresh), "controlled_by_param")
        self._edges_cache = fresh
        return fresh

    def copy_node_property_to_edges(self, properties_to_import, pre_or_post=("pre", "post")) -> None:
        """Copy node columns to ``edges`` as ``pre_<name>`` / ``post_<name>`` (the value at each
        synapse's pre- or postsynaptic compartment; NaN where that compartment is not in view).
        Like Jaxley, later changes of the node column are not copied again."""
        sides = [pre_or_post] if isinstance(pre_or_post, str) else list(pre_or_post)
        props = [properties_to_import] if isinstance(properties_to_import, str) else list(properties_to_import)
        nodes, edges = self.nodes, self.edges
        for side in sides:
            if side not in ("pre", "post"):
                raise ValueError(f"copy_node_property_to_edges: pre_or_post must be 'pre' or 'post', got {side!r}")
            for prop in props:
                if prop not in nodes.columns:
                    raise KeyError(f"copy_node_property_to_edges: '{prop}' is not a column of nodes")
                name = f"{side}_{prop}"
                if name in edges.columns:
                    edges = edges.drop(columns=name)
                edges = edges.join(nodes[prop], on=f"{side}_index").rename(columns={prop: name})
        self._edges_cache = edges
