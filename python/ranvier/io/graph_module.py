"""From a compartment graph to a module (the second half of Jaxley 0.14's ``from_graph``):
the depth-first solve order that fixes branch and compartment indices, the branch parents,
and a Cell whose compartments carry the graph's geometry, groups, parameters and channels."""
from __future__ import annotations


import networkx as nx
import numpy as np
import pandas as pd

from .. import _core
from .graph_trace import first_tip

# Compartment attributes that make up the geometry (lengths um, area um^2, volume um^3,
# resistive loads 1/um); a default Compartment's values where a graph lacks them.
_GEOMETRY_DEFAULTS = {
    "length": 10.0, "radius": 1.0, "area": 2.0 * np.pi * 10.0, "volume": 10.0 * np.pi,
    "resistive_load_in": 5.0 / np.pi, "resistive_load_out": 5.0 / np.pi,
}
_NOT_PARAMETERS = set(_GEOMETRY_DEFAULTS) | {
    "x", "y", "z", "type", "xyzr", "groups", "cell_index", "branch_index", "comp_index", "controlled_by_param",
}


def solve_order(graph: nx.DiGraph, root=None, number_branchpoints=None) -> nx.DiGraph:
    """Jaxley's ``_set_comp_and_branch_index``: a depth-first traversal from ``root`` (default:
    the lowest-labelled tip) numbers compartments in visiting order and starts a new branch
    after every tip and branchpoint; edges point along the traversal, and the traced points of
    compartments traversed against their graph direction are reversed."""
    # Without the graph attributes: to_undirected deep-copies them, and Mechanisms do not copy.
    bare = nx.DiGraph()
    bare.add_nodes_from(graph.nodes(data=True))
    bare.add_edges_from(graph.edges(data=True))
    undirected = bare.to_undirected()
    root = root if root else first_tip(undirected)
    out = nx.DiGraph()
    out.graph.update(graph.graph)
    out.add_nodes_from(undirected.nodes(data=True))
    out.nodes[root]["comp_index"] = 0
    out.nodes[root]["branch_index"] = 0
    mapping, comp, branch, flip = {root: 0}, 1, 0, set()
    for i, j in nx.dfs_edges(undirected, root, sort_neighbors=sorted):
        out.add_edge(i, j)
        node = out.nodes[j]
        node["branch_index"] = branch
        is_comp = node["type"] == "comp"
        if is_comp:
            node["comp_index"] = comp
            mapping[j] = comp
        if undirected.degree(j) < 2 or node["type"] == "branchpoint":
            branch += 1
        if is_comp:
            comp += 1
        if not graph.has_edge(i, j) and graph.has_edge(j, i):
            flip.update((i, j))
    for n in flip:
        if "xyzr" in out.nodes[n]:
            out.nodes[n]["xyzr"] = out.nodes[n]["xyzr"][::-1]
    return number_branchpoints(nx.relabel_nodes(out, mapping))


def _without_branchpoints(graph: nx.DiGraph) -> nx.DiGraph:
    """Each branchpoint replaced by edges from the compartments before it to those after it
    (``type="inter_branch"``); other edges are ``"intra_branch"``."""
    g = graph.copy()
    for _, _, d in g.edges(data=True):
        if d.get("type") != "synapse":
            d["type"] = "intra_branch"
    for n in list(g.nodes):
        if g.nodes[n].get("type") == "branchpoint":
            for v in list(g.successors(n)):
                for u in list(g.predecessors(n)):
                    g.add_edge(u, v, type="inter_branch")
            g.remove_node(n)
    return g


def _parents_per_cell(g: nx.DiGraph, nodes: pd.DataFrame):
    """``parents`` of every cell (branch indices local to the cell, -1 for its root)."""
    parent_of = {}
    for i, j, d in g.edges(data=True):
        if d.get("type") == "inter_branch":
            parent_of[g.nodes[j]["branch_index"]] = g.nodes[i]["branch_index"]
    out = []
    for _, branches in nodes.groupby("cell_index", sort=True)["branch_index"]:
        order = list(pd.unique(branches))
        root = order[0]
        try:
            out.append([-1] + [int(parent_of[b]) - int(root) for b in order[1:]])
        except KeyError as e:
            raise ValueError(f"from_graph: branch {e.args[0]} has no parent branch; is the graph one connected tree?") from None
    return out


def _groups_of(d: dict, group_names, assign_groups: bool):
    groups = [g for g in group_names if d.get(g) is True or d.get(g) is np.True_]
    if assign_groups:
        groups += [g for g in d.get("groups", []) if g not in groups]
    return groups


def _cylinder_where_nan(geo):
    """Area, volume and loads of a cylinder where a graph without coordinates has NaN (Jaxley
    keeps the NaN, and its simulation gives NaN); Jaxley's cylinder formulas."""
    length, radius = geo[0], geo[1]
    cylinder = [2.0 * np.pi * radius * length, length * radius**2 * np.pi] + [length / 2 / radius**2 / np.pi] * 2
    return geo[:2] + [c if np.isnan(g) else g for g, c in zip(geo[2:], cylinder)]


def _comp_tuple(d: dict, groups):
    geo = _cylinder_where_nan([float(d.get(k, v)) for k, v in _GEOMETRY_DEFAULTS.items()])
    xyz = [float(d.get(k, np.nan)) for k in ("x", "y", "z")]
    xyzr = np.asarray(d.get("xyzr", np.full((0, 4), np.nan)), dtype=np.float64).reshape(-1, 4)
    if np.isnan(xyzr).all():
        xyzr = np.zeros((0, 4))  # no traced points (a module built without coordinates)
    return (*geo, *xyz, list(groups), np.ascontiguousarray(xyzr))


def _cell_core(cell_nodes: pd.DataFrame, parents, group_names, assign_groups):
    branches = []
    for _, rows in cell_nodes.groupby("branch_index", sort=True):
        branches.append([_comp_tuple(d, _groups_of(d, group_names, assign_groups)) for d in rows["_attrs"]])
    core = _core.graph_cell(parents, branches)
    # A graph exported by to_graph names its groups (in order), also those without compartments.
    _core.graph_order_groups(core, group_names)
    return core


def _copy_values(module, nodes: pd.DataFrame, channels) -> None:
    """Channels where the graph marks them, then every parameter and state the module has."""
    from ..channels.channel import to_mechanism

    for ch in channels or []:
        mech = to_mechanism(getattr(ch, "mechanism", ch))
        at = [i for i, d in enumerate(nodes["_attrs"]) if d.get(mech.name) in (True, np.True_)]
        if at:
            module.select(nodes=at).insert(mech)
    core = module._core
    for key in [c for c in core.column_names if c not in _NOT_PARAMETERS]:
        rows = [i for i, d in enumerate(nodes["_attrs"]) if key in d and d[key] is not None and not pd.isna(d[key])]
        if rows:
            module.select(nodes=rows).set(key, [float(nodes["_attrs"].iloc[i][key]) for i in rows])


def module_from_solve_graph(graph: nx.DiGraph, assign_groups: bool = True):
    """The module of a graph whose compartments carry final ``comp_index``/``branch_index``."""
    from ..modules import Cell, Network

    g = _without_branchpoints(graph)
    if any(d.get("type") == "synapse" for _, _, d in g.edges(data=True)):
        raise NotImplementedError("ranvier: from_graph of a graph with synapses is not supported yet")
    nodes = pd.DataFrame({"_attrs": [d for _, d in g.nodes(data=True)]}, index=list(g.nodes)).sort_index()
    for key in ("cell_index", "branch_index"):
        nodes[key] = [int(d.get(key, 0)) for d in nodes["_attrs"]]
    kind = g.graph.get("type", "cell")
    if kind in ("compartment", "branch"):
        raise NotImplementedError(f"ranvier: from_graph of a graph exported from a {kind} is not supported yet")
    group_names = list(g.graph.get("group_names", []))
    parents = _parents_per_cell(g, nodes)
    cells = [
        Cell._wrap(_cell_core(rows, parents[k], group_names, assign_groups), "cell")
        for k, (_, rows) in enumerate(nodes.groupby("cell_index", sort=True))
    ]
    module = cells[0] if kind == "cell" and len(cells) == 1 else Network(cells)
    _copy_values(module, nodes, g.graph.get("channels"))
    return module
