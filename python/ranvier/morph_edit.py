"""Editing morphologies through the compartment graph (Jaxley 0.14's
jaxley/morphology/morph_utils.py): ``morph_delete`` removes branches, ``morph_connect`` joins
two cells. Both return a new Cell built with ``from_graph``."""
from __future__ import annotations

import numpy as np

__all__ = ["morph_delete", "morph_connect"]


def _check_editable(view, what: str) -> None:
    base = view.base
    if type(base).__name__ != "Cell":
        raise ValueError(f"{what}: you are trying to edit a {type(base).__name__}; only a Cell (or a view of one) is allowed")
    if len(base.recordings):
        raise ValueError(f"{what}: found {len(base.recordings)} recordings; run `cell.delete_recordings()` first")
    if len(base.externals):
        raise ValueError(f"{what}: found {len(base.externals)} external states (stimuli or clamps); run "
                         "`cell.delete_stimuli()` / `cell.delete_clamps()` first")
    if len(base.get_parameters()):
        raise ValueError(f"{what}: found {len(base.get_parameters())} trainable parameters; run "
                         "`cell.delete_trainables()` first")


def _prepare_coordinates(base) -> None:
    """Jaxley computes coordinates of built cells before editing them (where Ranvier can)."""
    xyzr = getattr(base, "xyzr", None) if hasattr(type(base), "xyzr") else None
    if xyzr is not None and hasattr(base, "compute_xyz") and np.isnan(np.asarray(xyzr[0])[0, 0]):
        base.compute_xyz()
    if "x" not in base.nodes.columns and hasattr(base, "compute_compartment_centers"):
        base.compute_compartment_centers()


def morph_delete(module_view):
    """A new Cell without the branches in ``module_view`` (whole branches only)."""
    from .io.graph import from_graph
    from .modules.to_graph import to_graph

    _check_editable(module_view, "morph_delete")
    base = module_view.base
    _prepare_coordinates(base)
    doomed = set(int(c) for c in module_view.nodes.index)
    graph = to_graph(base, channels=True)
    keep = [n for n, d in graph.nodes(data=True) if d["type"] == "branchpoint" or d["comp_index"] not in doomed]
    return from_graph(graph.subgraph(keep))


def _attachment_node(view, bp_edges) -> int:
    """The compartment-graph node a view attaches at: the branchpoint at the start
    (``loc(0.0)``) or end (``loc(1.0)``) of its branch where there is one, else its compartment."""
    comps = [int(c) for c in view.nodes.index]
    if len(comps) != 1:
        raise ValueError(f"morph_connect: the view must be one location (e.g. cell.branch(0).loc(0.0)); it has {len(comps)} compartments")
    comp = comps[0]
    at = getattr(view, "_loc_at", None)
    if at is None or len(at) != 1:
        return comp
    if np.isclose(at[0], 0.0):
        return next((s for s, t in bp_edges if t == comp and s >= view.base._core.n_comp), comp)
    if np.isclose(at[0], 1.0):
        return next((t for s, t in bp_edges if s == comp and t >= view.base._core.n_comp), comp)
    return comp


def morph_connect(module_view1, module_view2):
    """A new Cell made of both cells, the second moved so that ``module_view2``'s location lands
    on ``module_view1``'s (each ``cell.branch(i).loc(0.0)`` or ``.loc(1.0)``)."""
    from .io.graph import from_graph
    from .io.graph_connect import connect_graphs
    from .modules.to_graph import branchpoint_table, module_xyzr, to_graph

    for view in (module_view1, module_view2):
        _check_editable(view, "morph_connect")
        _prepare_coordinates(view.base)
    graphs, nodes = [], []
    for view in (module_view1, module_view2):
        base = view.base
        _, bp_edges = branchpoint_table(base, module_xyzr(base), base.nodes)
        graphs.append(to_graph(base, channels=True))
        nodes.append(_attachment_node(view, bp_edges))
    return from_graph(connect_graphs(graphs[0], graphs[1], nodes[0], nodes[1]))
