"""Jaxley 0.14's graph backend (``jaxley.io.graph``): SWC files as networkx graphs, the
compartment graph built from them, and modules built from (possibly edited) compartment graphs.

* ``to_swc_graph(fname)``: one node per SWC sample (id, x, y, z, r, p), edges parent -> child
  with their length ``l`` (um).
* ``build_compartment_graph(swc_graph, ncomp, ...)``: ``ncomp`` compartment nodes per traced
  branch (``type="comp"``: x, y, z, branch_index, comp_index, xyzr, area, volume, resistive
  loads, groups, radius, length, cell_index) and ``type="branchpoint"`` nodes between branches.
* ``from_graph(comp_graph)``: a Cell with exactly those compartments, in Jaxley's solve order.
* ``vis_compartment_graph``, ``connect_graphs``: drawing and joining compartment graphs.

Per-compartment geometry comes from the same C++ functions as ``read_swc`` (frontend/swc.cpp).
"""
from __future__ import annotations

from typing import List, Optional
from warnings import warn

import networkx as nx
import numpy as np
import pandas as pd

from .. import _core
from .graph_module import module_from_solve_graph, solve_order
from .graph_trace import trace_branches

__all__ = [
    "to_swc_graph", "build_compartment_graph", "from_graph", "vis_compartment_graph", "connect_graphs",
]

_GROUP_OF_TYPE = {0: "undefined", 1: "soma", 2: "axon", 3: "basal", 4: "apical"}


# -- SWC graph ---------------------------------------------------------------------------------
def to_swc_graph(fname: str, num_lines: Optional[int] = None) -> nx.DiGraph:
    """The samples of an SWC file as a directed graph (parent -> child): nodes carry
    ``{"id", "x", "y", "z", "r", "p"}`` (um), edges ``{"l"}`` (um, at least 1e-5)."""
    rows = np.loadtxt(fname, ndmin=2)[:num_lines]
    if rows.shape[1] != 7:
        raise ValueError(f"to_swc_graph: '{fname}' has {rows.shape[1]} columns; an SWC file has 7")
    graph = nx.DiGraph()
    for i, type_id, x, y, z, r, p in rows:
        graph.add_node(int(i), id=int(type_id), x=x, y=y, z=z, r=r, p=int(p))
    graph.add_edges_from((int(p), int(i)) for i, p in rows[:, [0, 6]] if p != -1)
    return _add_missing_graph_attrs(graph)


def _add_missing_graph_attrs(graph: nx.Graph) -> nx.Graph:
    """Defaults for what a hand-made graph lacks (id 0, x/y/z NaN, r 1, p 0), and every edge's
    length ``l`` from the coordinates (1 where there are none)."""
    if 1 not in graph:
        raise ValueError("the graph needs a node labelled 1 (SWC sample ids start at 1)")
    defaults = {"id": 0, "x": float("nan"), "y": float("nan"), "z": float("nan"), "r": 1, "p": 0}
    present = graph.nodes[1].keys()
    for key in [k for k in defaults if k not in present]:
        nx.set_node_attributes(graph, defaults[key], key)
    for i, j in graph.edges:
        if i == j:
            length = 2 * graph.nodes[i]["r"]
        else:
            a, b = graph.nodes[i], graph.nodes[j]
            dx, dy, dz = a["x"] - b["x"], a["y"] - b["y"], a["z"] - b["z"]
            length = np.sqrt((dx * dx + dy * dy) + dz * dz)
        # Two samples on top of each other would give a compartment of length 0.
        graph.edges[i, j]["l"] = length if length >= 1e-5 else 1e-5
    lengths = list(nx.get_edge_attributes(graph, "l").values())
    if lengths and np.isnan(lengths[0]):
        nx.set_edge_attributes(graph, 1, "l")
    return graph


# -- compartment graph -------------------------------------------------------------------------
def _interp_jnp(x: np.ndarray, xp: np.ndarray, fp: np.ndarray) -> np.ndarray:
    """``jnp.interp`` (Jaxley's v_interp) in float64: its operation order, constant outside."""
    i = np.clip(np.searchsorted(xp, x, side="right"), 1, len(xp) - 1)
    df = fp[i] - fp[i - 1]
    dx = xp[i] - xp[i - 1]
    delta = x - xp[i - 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(np.abs(dx) <= np.spacing(np.finfo(np.float64).eps), fp[i - 1], fp[i - 1] + (delta / dx) * df)
    f = np.where(x < xp[0], fp[0], f)
    return np.where(x > xp[-1], fp[-1], f)


def _branch_nodes(branch) -> List[int]:
    """The SWC nodes of a traced branch in order of first appearance."""
    seen, out = set(), []
    for i, j, _ in branch:
        for v in (i, j):
            if v not in seen:
                seen.add(v)
                out.append(v)
    return out


def _branch_compartments(traced, branch, type_id, ignore, ncomp, min_radius):
    """The ``ncomp`` compartment attribute dicts of one traced branch (before renaming)."""
    nodes = _branch_nodes(branch)
    path = np.cumsum([0.0] + [float(e[2]) for e in branch])
    data = pd.DataFrame([traced.nodes[n] for n in nodes]).drop(columns=["type", "p"], errors="ignore")
    data["node_index"] = nodes
    data["l"] = path
    if data.loc[0, "id"] != data.loc[1, "id"]:  # the first point belongs to the neighbouring neurite
        data.loc[0, ["r", "id"]] = data.loc[1, ["r", "id"]]
    xyzr = np.ascontiguousarray(data[["x", "y", "z", "r"]].to_numpy(dtype=np.float64))
    if branch[0][0] in ignore:
        xyzr = xyzr[1:]
    pieces = [np.asarray(p) for p in _core.graph_split_xyzr(np.ascontiguousarray(xyzr), int(ncomp))]
    attrs = [_core.graph_morph_attrs(np.ascontiguousarray(p), min_radius, int(ncomp)) for p in pieces]
    length = float(path.max())
    if length < 1e-8:
        warn("Found a branch with length 0. To avoid NaN while integrating the ODE, we capped this length to 0.1 um "
             "(an SWC file with a single-point soma and a dendrite without further points often causes this).")
        length = 0.1
    comp_len = length / ncomp
    locs = np.linspace(comp_len / 2, length - comp_len / 2, ncomp)
    values = data.to_numpy(dtype=np.float64)
    interp = np.stack([_interp_jnp(locs, path, values[:, k]) for k in range(values.shape[1])], axis=1)
    comps = []
    for c in range(ncomp):
        d = {col: float(interp[c, k]) for k, col in enumerate(data.columns)}
        d.update(id=int(type_id), l=comp_len)
        d.pop("node_index")
        d.update(branch_index=None, comp_index=None, type="comp", xyzr=pieces[c], r=attrs[c][0], area=attrs[c][1],
                 volume=attrs[c][2], resistive_load_in=attrs[c][3], resistive_load_out=attrs[c][4])
        comps.append(d)
    return comps


def _number_branchpoints(graph: nx.DiGraph) -> nx.DiGraph:
    """Branchpoints get the labels after the last compartment, ordered by the branch index of
    the compartment leading into them (as a module numbers them)."""
    points, keys, last = [], [], 0
    for n, d in graph.nodes(data=True):
        if d["type"] == "branchpoint":
            preds = list(graph.predecessors(n))
            if not preds:
                raise ValueError(f"branchpoint {n} has no compartment leading into it")
            points.append(n)
            keys.append(graph.nodes[preds[0]]["branch_index"])
        elif d["comp_index"] > last:
            last = d["comp_index"]
    order = np.argsort(keys, kind="stable")
    return nx.relabel_nodes(graph, {points[k]: last + 1 + r for r, k in enumerate(order)})


def build_compartment_graph(
    swc_graph: nx.DiGraph,
    ncomp: int,
    root: Optional[int] = None,
    min_radius: Optional[float] = None,
    max_len=None,
    ignore_swc_tracing_interruptions: bool = True,
    relevant_type_ids: Optional[List[int]] = None,
) -> nx.DiGraph:
    """The compartment graph of an SWC graph: ``ncomp`` compartments of equal length per traced
    branch and one node per branchpoint (Jaxley's node attributes and numbering)."""
    if int(ncomp) < 1:
        raise ValueError(f"build_compartment_graph: ncomp={ncomp}; it must be at least 1")
    ncomp = int(ncomp)
    traced, branches, types, ignore = trace_branches(
        swc_graph, root=root, max_len=max_len, ignore_swc_tracing_interruptions=ignore_swc_tracing_interruptions,
        relevant_type_ids=relevant_type_ids,
    )
    graph = nx.DiGraph()
    for n, d in traced.nodes(data=True):
        if d["type"] == "branchpoint":
            graph.add_node(n, **d)
    nx.set_node_attributes(graph, 0.0, "l")
    for b, (branch, type_id) in enumerate(zip(branches, types)):
        comps = _branch_compartments(traced, branch, type_id, ignore, ncomp, min_radius)
        first = max(graph.nodes) + 1 if len(graph) else 0
        for c, d in enumerate(comps):
            d.update(branch_index=b, comp_index=b * ncomp + c)
            graph.add_node(first + c, **d)
        graph.add_edges_from((first + c, first + c + 1) for c in range(ncomp - 1))
        start, end = branch[0][0], branch[-1][1]
        if start in graph and graph.nodes[start]["type"] == "branchpoint":
            graph.add_edge(start, first)
        if end in graph and graph.nodes[end]["type"] == "branchpoint":
            graph.add_edge(first + ncomp - 1, end)
    for n, d in graph.nodes(data=True):
        if d["type"] == "branchpoint":
            for key in ("comp_index", "branch_index", "xyzr"):
                d.pop(key, None)
    mapping, k = {}, 0
    for n, d in graph.nodes(data=True):
        if "comp_index" in d:
            mapping[n] = d["comp_index"]
        else:
            mapping[n] = f"n{k}"
            k += 1
    graph = _number_branchpoints(nx.relabel_nodes(graph, mapping, copy=True))
    for n, d in graph.nodes(data=True):
        type_id = d.pop("id")
        d["groups"] = [_GROUP_OF_TYPE.get(type_id, f"custom{type_id}")]
        r = d.pop("r")
        d["radius"] = max(r, min_radius) if min_radius else r
        d["length"] = d.pop("l")
    nx.set_node_attributes(graph, 0, "cell_index")
    return graph


# -- module from a compartment graph -----------------------------------------------------------
def _drop_tip_branchpoints(graph: nx.DiGraph) -> nx.DiGraph:
    """Branchpoints left with fewer than two neighbours by editing are dropped."""
    keep = [n for n, d in graph.nodes(data=True) if d.get("type") == "comp" or graph.in_degree(n) + graph.out_degree(n) > 1]
    return graph.subgraph(keep).copy()


def from_graph(
    comp_graph: nx.DiGraph,
    assign_groups: bool = True,
    solve_root: Optional[int] = None,
    traverse_for_solve_order: bool = True,
):
    """A module (a Cell unless the graph was exported from another module type) with the
    compartments of a compartment graph from ``build_compartment_graph`` or ``to_graph``.

    ``traverse_for_solve_order=False`` keeps the graph's branch and compartment indices (only
    for graphs exported with ``to_graph`` and not edited)."""
    graph = _drop_tip_branchpoints(comp_graph)
    if traverse_for_solve_order:
        graph = solve_order(graph, root=solve_root, number_branchpoints=_number_branchpoints)
    return module_from_solve_graph(graph, assign_groups=assign_groups)


# -- drawing -----------------------------------------------------------------------------------
def vis_compartment_graph(
    comp_graph: nx.DiGraph,
    ax=None,
    font_size: float = 7.0,
    node_size: float = 150.0,
    arrowsize: float = 10.0,
    comp_color: str = "r",
    branchpoint_color: str = "orange",
):
    """Draw a compartment graph at the nodes' x, y (compartments and branchpoints in two colours)."""
    import matplotlib.pyplot as plt

    colors = []
    for n, d in comp_graph.nodes(data=True):
        kind = d.get("type")
        if kind not in ("comp", "branchpoint"):
            raise ValueError(f"vis_compartment_graph: node {n} has type {kind!r}; expected 'comp' or 'branchpoint'")
        colors.append(comp_color if kind == "comp" else branchpoint_color)
    pos = {n: (d["x"], d["y"]) for n, d in comp_graph.nodes(data=True)}
    if ax is None:
        _, ax = plt.subplots(1, 1, figsize=(4, 4))
    nx.draw(comp_graph, pos=pos, with_labels=True, font_size=font_size, node_size=node_size, ax=ax, node_color=colors,
            arrowsize=arrowsize)


from .graph_connect import connect_graphs  # noqa: E402  (uses nothing above; kept with the public API)
